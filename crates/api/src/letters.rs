//! Where agencies' letters (công văn) are kept: files in a directory of
//! their own (`LANGNGHE_LETTERS_DIR`, the embedded default), written whole
//! before they are named and readable by the service's user only; or
//! objects in an S3-compatible store when one is configured
//! (`LANGNGHE_S3_*`), spoken to with requests signed by AWS Signature
//! Version 4. Either way each letter is under a key the service makes,
//! never a name an agency sent.

use std::io;
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

/// The store of letters.
#[derive(Debug, Clone)]
pub struct LetterStore {
    backend: Backend,
}

#[derive(Debug, Clone)]
enum Backend {
    Disk(PathBuf),
    S3(crate::config::S3Config),
}

/// A letter written to the store.
pub struct Stored {
    pub key: String,
    pub sha256: String,
}

impl LetterStore {
    /// The store in `dir`, created (readable by the service's user only)
    /// if missing.
    pub fn open(dir: &Path) -> io::Result<LetterStore> {
        std::fs::create_dir_all(dir)?;
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700))?;
        }
        Ok(LetterStore {
            backend: Backend::Disk(dir.to_owned()),
        })
    }

    /// The store the policy names: its S3-compatible object store if it
    /// has one, else its directory.
    pub fn for_policy(policy: &crate::config::LetterPolicy) -> io::Result<LetterStore> {
        match &policy.s3 {
            Some(s3) => Ok(LetterStore {
                backend: Backend::S3(s3.clone()),
            }),
            None => Self::open(&policy.dir),
        }
    }

    /// Writes `bytes` under a fresh key: to a temporary file first, renamed
    /// once whole, so a reader never sees half a letter.
    pub async fn put(&self, bytes: Vec<u8>) -> io::Result<Stored> {
        let key = format!("{}.pdf", uuid::Uuid::now_v7().simple());
        let sha256 = data_encoding::HEXLOWER.encode(&Sha256::digest(&bytes));
        let dir = match &self.backend {
            Backend::S3(s3) => {
                s3::request(s3, awc::http::Method::PUT, &key, bytes, &sha256).await?;
                return Ok(Stored { key, sha256 });
            }
            Backend::Disk(dir) => dir,
        };
        let (tmp, path) = (dir.join(format!(".{key}.part")), dir.join(&key));
        blocking(move || {
            use std::io::Write;
            let mut opts = std::fs::OpenOptions::new();
            opts.write(true).create_new(true);
            #[cfg(unix)]
            {
                use std::os::unix::fs::OpenOptionsExt;
                opts.mode(0o600);
            }
            let mut f = opts.open(&tmp)?;
            f.write_all(&bytes)?;
            f.sync_all()?;
            std::fs::rename(&tmp, &path)
        })
        .await?;
        Ok(Stored { key, sha256 })
    }

    /// The letter under `key`.
    pub async fn get(&self, key: &str) -> io::Result<Vec<u8>> {
        let path = self.path(key)?;
        match &self.backend {
            Backend::S3(s3) => s3::request(s3, awc::http::Method::GET, key, Vec::new(), s3::EMPTY_SHA256).await,
            Backend::Disk(_) => blocking(move || std::fs::read(path)).await,
        }
    }

    /// Deletes the letter under `key`; a letter already gone is no error.
    pub async fn delete(&self, key: &str) -> io::Result<()> {
        let path = self.path(key)?;
        match &self.backend {
            // S3 answers a DELETE of a missing key with success too.
            Backend::S3(s3) => s3::request(s3, awc::http::Method::DELETE, key, Vec::new(), s3::EMPTY_SHA256)
                .await
                .map(drop),
            Backend::Disk(_) => {
                blocking(move || match std::fs::remove_file(path) {
                    Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(()),
                    other => other,
                })
                .await
            }
        }
    }

    /// Only keys this store made name a file: 32 hex digits and `.pdf`.
    fn path(&self, key: &str) -> io::Result<PathBuf> {
        let ok = key
            .strip_suffix(".pdf")
            .is_some_and(|k| k.len() == 32 && k.bytes().all(|b| b.is_ascii_hexdigit()));
        let dir = match &self.backend {
            Backend::Disk(dir) => dir.as_path(),
            Backend::S3(_) => Path::new(""),
        };
        if ok {
            Ok(dir.join(key))
        } else {
            Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                format!("not a letter key: {key:?}"),
            ))
        }
    }
}

async fn blocking<T: Send + 'static>(f: impl FnOnce() -> io::Result<T> + Send + 'static) -> io::Result<T> {
    tokio::task::spawn_blocking(f).await.map_err(io::Error::other)?
}

/// Requests to an S3-compatible object store, path-style
/// (`{endpoint}/{bucket}/{key}`), signed with AWS Signature Version 4.
pub mod s3 {
    use std::io;

    use awc::http::Method;
    use hmac::{Hmac, KeyInit, Mac};
    use sha2::{Digest, Sha256};

    use crate::config::S3Config;

    /// The SHA-256 of an empty body.
    pub const EMPTY_SHA256: &str = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

    /// `method` on `key` with `body` (whose SHA-256 is `sha256`); the
    /// response body on success, an error naming the status otherwise.
    pub async fn request(s3: &S3Config, method: Method, key: &str, body: Vec<u8>, sha256: &str) -> io::Result<Vec<u8>> {
        // The time of the request as the store checks it: the system's.
        let now = chrono::Utc::now();
        let amz_date = now.format("%Y%m%dT%H%M%SZ").to_string();
        let path = format!("/{}/{key}", s3.bucket);
        let authorization = authorization(s3, method.as_str(), &path, sha256, &amz_date);
        let client = awc::Client::builder()
            .timeout(std::time::Duration::from_secs(30))
            .disable_redirects()
            .finish();
        let req = client
            .request(method, format!("{}{path}", s3.endpoint))
            .insert_header(("x-amz-date", amz_date))
            .insert_header(("x-amz-content-sha256", sha256.to_owned()))
            .insert_header(("authorization", authorization));
        let mut res = req
            .send_body(body)
            .await
            .map_err(|e| io::Error::other(format!("object store: {e}")))?;
        let bytes = res
            .body()
            .limit(64 * 1024 * 1024)
            .await
            .map_err(|e| io::Error::other(format!("object store: {e}")))?;
        match res.status().as_u16() {
            200..=299 => Ok(bytes.to_vec()),
            404 => Err(io::Error::new(
                io::ErrorKind::NotFound,
                format!("object store: no object {key}"),
            )),
            status => Err(io::Error::other(format!(
                "object store answered {status}: {}",
                String::from_utf8_lossy(&bytes[..bytes.len().min(300)])
            ))),
        }
    }

    fn hmac(key: &[u8], data: &str) -> Vec<u8> {
        // HMAC takes a key of any length: the error cannot happen.
        let Ok(mut mac) = <Hmac<Sha256> as KeyInit>::new_from_slice(key) else {
            return Vec::new();
        };
        mac.update(data.as_bytes());
        mac.finalize().into_bytes().to_vec()
    }

    /// The `Authorization` header of a request signed with AWS Signature
    /// Version 4, signing the host, the payload's hash and the date.
    pub fn authorization(s3: &S3Config, method: &str, path: &str, sha256: &str, amz_date: &str) -> String {
        let host = s3.host();
        let headers = [
            ("host", host.as_str()),
            ("x-amz-content-sha256", sha256),
            ("x-amz-date", amz_date),
        ];
        sign(s3, method, path, &headers, sha256, amz_date)
    }

    /// Signs a request with these headers (lower-case names, in order).
    pub fn sign(
        s3: &S3Config,
        method: &str,
        path: &str,
        headers: &[(&str, &str)],
        sha256: &str,
        amz_date: &str,
    ) -> String {
        let day = &amz_date[..8];
        let canonical_headers: String = headers.iter().map(|(k, v)| format!("{k}:{v}\n")).collect();
        let signed: Vec<&str> = headers.iter().map(|(k, _)| *k).collect();
        let signed = signed.join(";");
        let canonical = format!("{method}\n{path}\n\n{canonical_headers}\n{signed}\n{sha256}");
        let scope = format!("{day}/{}/s3/aws4_request", s3.region);
        let to_sign = format!(
            "AWS4-HMAC-SHA256\n{amz_date}\n{scope}\n{}",
            data_encoding::HEXLOWER.encode(&Sha256::digest(canonical.as_bytes()))
        );
        let key = [day, &s3.region, "s3", "aws4_request"]
            .iter()
            .fold(format!("AWS4{}", s3.secret_access_key).into_bytes(), |k, part| {
                hmac(&k, part)
            });
        format!(
            "AWS4-HMAC-SHA256 Credential={}/{scope}, SignedHeaders={signed}, Signature={}",
            s3.access_key_id,
            data_encoding::HEXLOWER.encode(&hmac(&key, &to_sign))
        )
    }
}
