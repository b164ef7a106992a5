//! Credentials: password hashing (Argon2id), access tokens (HS256 JWT with
//! a pinned algorithm, `iss`, `aud`, `exp`, `sub` and a `kid` so keys can
//! rotate) and the data key behind every keyed hash of children's data.
//! Below the application state; the extractors that use them are in
//! [`crate::auth`].

use std::sync::{Arc, OnceLock};

use actix_web::web;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm as ArgonAlgorithm, Argon2, Params, Version};
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation, decode, decode_header, encode};
use langnghe_domain::account::User;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::error::ApiError;

pub const ISSUER: &str = "langnghe";
pub const AUDIENCE: &str = "langnghe-api";

/// How expensive password hashes are. Production uses OWASP's Argon2id
/// parameters; tests use the cheapest, as the hash strength is not what
/// they test.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HashCost {
    Standard,
    Minimal,
}

fn argon2(cost: HashCost) -> Argon2<'static> {
    let params = match cost {
        HashCost::Standard => Params::new(19 * 1024, 2, 1, None),
        HashCost::Minimal => Params::new(Params::MIN_M_COST, 1, 1, None),
    }
    .unwrap_or_default();
    Argon2::new(ArgonAlgorithm::Argon2id, Version::V0x13, params)
}

/// Hashes on the blocking pool: a hash takes tens of milliseconds.
pub async fn hash_password(cost: HashCost, password: String) -> Result<String, ApiError> {
    web::block(move || {
        let salt = SaltString::generate(&mut argon2::password_hash::rand_core::OsRng);
        argon2(cost)
            .hash_password(password.as_bytes(), &salt)
            .map(|h| h.to_string())
    })
    .await
    .map_err(|e| ApiError::internal(&e))?
    .map_err(|e| ApiError::internal(&PasswordError(e.to_string())))
}

#[derive(Debug, thiserror::Error)]
#[error("password hashing failed: {0}")]
struct PasswordError(String);

/// Verifies on the blocking pool. With no stored hash (unknown user) it
/// verifies against a dummy hash, so timing does not tell whether an
/// account exists.
pub async fn verify_password(cost: HashCost, password: String, hash: Option<String>) -> bool {
    web::block(move || {
        let Some(hash) = hash.or_else(|| dummy_hash(cost)) else {
            return false;
        };
        match PasswordHash::new(&hash) {
            Ok(parsed) => Argon2::default().verify_password(password.as_bytes(), &parsed).is_ok(),
            Err(_) => false,
        }
    })
    .await
    .unwrap_or(false)
}

fn dummy_hash(cost: HashCost) -> Option<String> {
    static STANDARD: OnceLock<Option<String>> = OnceLock::new();
    static MINIMAL: OnceLock<Option<String>> = OnceLock::new();
    let cell = match cost {
        HashCost::Standard => &STANDARD,
        HashCost::Minimal => &MINIMAL,
    };
    cell.get_or_init(|| {
        let salt = SaltString::generate(&mut argon2::password_hash::rand_core::OsRng);
        argon2(cost)
            .hash_password(b"no such account", &salt)
            .ok()
            .map(|h| h.to_string())
    })
    .clone()
}

/// One signing key. Its `kid` is derived from the secret, so operators name
/// nothing and a token says which key signed it.
struct Key {
    kid: String,
    encoding: EncodingKey,
    decoding: DecodingKey,
}

/// The configured keys: the first (newest) signs, all verify.
#[derive(Clone)]
pub struct Keys {
    keys: Arc<Vec<Key>>,
    pub ttl: chrono::Duration,
    /// Tokens are issued and checked by the application's clock.
    clock: crate::Clock,
}

#[derive(Debug, thiserror::Error)]
pub enum KeyError {
    #[error("no signing key configured")]
    None,
    #[error("a JWT secret must be at least 32 bytes")]
    TooShort,
    #[error("unusable JWT secret: {0}")]
    Unusable(#[from] jsonwebtoken::errors::Error),
}

impl Keys {
    pub fn new(secrets: &[String], ttl: chrono::Duration, clock: crate::Clock) -> Result<Keys, KeyError> {
        if secrets.is_empty() {
            return Err(KeyError::None);
        }
        let mut keys = Vec::new();
        for s in secrets {
            if s.len() < 32 {
                return Err(KeyError::TooShort);
            }
            let kid = data_encoding::HEXLOWER.encode(&Sha256::digest(s.as_bytes())[..8]);
            keys.push(Key {
                kid,
                encoding: EncodingKey::from_secret(s.as_bytes())?,
                decoding: DecodingKey::from_secret(s.as_bytes())?,
            });
        }
        Ok(Keys {
            keys: Arc::new(keys),
            ttl,
            clock,
        })
    }

    /// A signed access token for `user`.
    pub fn issue(&self, user: &User) -> Result<String, ApiError> {
        self.sign(&Claims {
            registered: Registered::new(user.id.0.to_string(), self.clock.now(), self.ttl),
            ver: user.token_version,
            typ: "staff".into(),
        })
    }

    /// Signs any claims with the newest key, naming it in `kid`.
    pub fn sign<T: Serialize>(&self, claims: &T) -> Result<String, ApiError> {
        let key = self.keys.first().ok_or_else(|| ApiError::internal(&KeyError::None))?;
        let mut header = Header::new(Algorithm::HS256);
        header.kid = Some(key.kid.clone());
        encode(&header, claims, &key.encoding).map_err(|e| ApiError::internal(&e))
    }

    /// Checks signature (with the key the token names), algorithm, issuer,
    /// audience and expiry.
    pub fn verify(&self, token: &str) -> Result<Claims, ApiError> {
        self.verify_as(token)
    }

    pub fn verify_as<T: serde::de::DeserializeOwned>(&self, token: &str) -> Result<T, ApiError> {
        let header = decode_header(token).map_err(|_| ApiError::invalid_token())?;
        if header.alg != Algorithm::HS256 {
            return Err(ApiError::invalid_token());
        }
        let kid = header.kid.ok_or_else(ApiError::invalid_token)?;
        let key = self
            .keys
            .iter()
            .find(|k| k.kid == kid)
            .ok_or_else(ApiError::invalid_token)?;
        let mut validation = Validation::new(Algorithm::HS256);
        validation.set_issuer(&[ISSUER]);
        validation.set_audience(&[AUDIENCE]);
        validation.set_required_spec_claims(&["exp", "iss", "aud", "sub"]);
        // Expiry and not-before are checked below against the
        // application's clock, not the system's.
        validation.validate_exp = false;
        validation.validate_nbf = false;
        let claims = decode::<serde_json::Value>(token, &key.decoding, &validation)
            .map_err(|_| ApiError::invalid_token())?
            .claims;
        let now = self.clock.now().timestamp();
        let at = |name: &str| claims.get(name).and_then(serde_json::Value::as_i64);
        let expired = at("exp").is_none_or(|exp| exp + TOKEN_LEEWAY_SECS < now);
        let early = at("nbf").is_some_and(|nbf| nbf - TOKEN_LEEWAY_SECS > now);
        if expired || early {
            return Err(ApiError::invalid_token());
        }
        serde_json::from_value(claims).map_err(|_| ApiError::invalid_token())
    }
}

/// Clock skew allowed between replicas when checking `exp` and `nbf`.
const TOKEN_LEEWAY_SECS: i64 = 30;

/// The registered claims (RFC 7519) every token of ours carries.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Registered {
    pub iss: String,
    pub aud: String,
    /// Whom the token stands for: an account, a client, a pseudonym.
    pub sub: String,
    pub iat: i64,
    pub nbf: i64,
    pub exp: i64,
}

impl Registered {
    /// Claims for `sub`, issued `now` for `ttl`, valid from a few seconds
    /// before (replicas' clocks differ).
    pub fn new(sub: String, now: chrono::DateTime<chrono::Utc>, ttl: chrono::Duration) -> Registered {
        let iat = now.timestamp();
        Registered {
            iss: ISSUER.into(),
            aud: AUDIENCE.into(),
            sub,
            iat,
            nbf: iat - 5,
            exp: iat + ttl.num_seconds(),
        }
    }

    /// The id `sub` names; a token naming none is not valid.
    pub fn subject(&self) -> Result<uuid::Uuid, ApiError> {
        self.sub.parse().map_err(|_| ApiError::invalid_token())
    }
}

/// What a staff or agency client's access token carries.
#[derive(Debug, Serialize, Deserialize)]
pub struct Claims {
    #[serde(flatten)]
    pub registered: Registered,
    /// The account's token version when issued.
    pub ver: i32,
    /// What kind of principal: `staff` or `agency_client`.
    pub typ: String,
}

impl Keys {
    /// A signed access token for an agency's machine client.
    pub fn issue_client(&self, client_row_id: uuid::Uuid) -> Result<String, ApiError> {
        self.sign(&Claims {
            registered: Registered::new(client_row_id.to_string(), self.clock.now(), self.ttl),
            ver: 0,
            typ: "agency_client".into(),
        })
    }
}

/// What a child's respondent token carries: the session, the pseudonym and
/// what the child said about themselves at joining. No name, no contact.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct RespondentClaims {
    /// `sub` is the participant's pseudonym.
    #[serde(flatten)]
    pub registered: Registered,
    /// Always `respondent`.
    pub typ: String,
    /// The session joined.
    pub sid: uuid::Uuid,
    pub age: u8,
    pub grade: Option<u8>,
    pub gender: Option<String>,
    /// `vi` or `en`.
    pub lang: String,
}

/// The key behind every keyed hash of children's data: participant tokens
/// and receipt codes. It must stay the same for the life of the data.
#[derive(Clone)]
pub struct DataKey(Arc<Vec<u8>>);

impl DataKey {
    pub fn new(secret: &str) -> DataKey {
        DataKey(Arc::new(secret.as_bytes().to_vec()))
    }

    fn mac(&self, purpose: &str, value: &[u8]) -> Vec<u8> {
        use hmac::{KeyInit, Mac};
        let Ok(mut mac) = hmac::Hmac::<Sha256>::new_from_slice(&self.0) else {
            return Vec::new();
        };
        mac.update(purpose.as_bytes());
        mac.update(b"\0");
        mac.update(value);
        mac.finalize().into_bytes().to_vec()
    }

    /// Hex keyed hash of a value, for lookups that must not reveal it.
    pub fn hash(&self, purpose: &str, value: &str) -> String {
        data_encoding::HEXLOWER.encode(&self.mac(purpose, value.as_bytes()))
    }

    /// A record's key for the cell key method, derived from its id with the
    /// data key (for records that do not store one, like safeguarding
    /// cases): secret, fixed, and uniform.
    pub fn record_key(&self, purpose: &str, id: uuid::Uuid) -> langnghe_domain::disclosure::RecordKey {
        let mac = self.mac(purpose, id.as_bytes());
        let mut bytes = [0u8; 4];
        for (b, m) in bytes.iter_mut().zip(&mac) {
            *b = *m;
        }
        langnghe_domain::disclosure::RecordKey::from_u32(u32::from_le_bytes(bytes))
    }

    /// An opaque, fixed id of one text answer (a response and a question),
    /// from which neither can be read: moderators see answers by this id
    /// alone, so two answers of one child are not linked.
    pub fn answer_id(&self, response_id: uuid::Uuid, question_key: &str) -> uuid::Uuid {
        let mut value = response_id.as_bytes().to_vec();
        value.extend_from_slice(question_key.as_bytes());
        let mac = self.mac("answer", &value);
        let mut bytes = [0u8; 16];
        for (b, m) in bytes.iter_mut().zip(&mac) {
            *b = *m;
        }
        uuid::Uuid::from_bytes(bytes)
    }

    /// The id an accepted issue is published under: its stored id through a
    /// keyed permutation of the 128-bit values, so that the public id says
    /// nothing of the stored one. A stored id is a UUID v7, whose first 48
    /// bits are the millisecond it was created: published as it is, it
    /// would tell when the child pressed "send", which may tie the issue to
    /// a child seen typing then.
    ///
    /// The permutation is a four-round Feistel network over the two 64-bit
    /// halves with HMAC-SHA-256 under the data key as the round function
    /// (Luby–Rackoff: with a pseudo-random round function, four rounds give
    /// a strong pseudo-random permutation). [`DataKey::issue_of_public_id`]
    /// inverts it.
    pub fn public_issue_id(&self, id: uuid::Uuid) -> uuid::Uuid {
        let (mut left, mut right) = halves(id);
        for round in 0..FEISTEL_ROUNDS {
            (left, right) = (right, left ^ self.feistel_round(round, right));
        }
        join_halves(left, right)
    }

    /// The stored id of the issue published as `public`: the inverse of
    /// [`DataKey::public_issue_id`]. Any value maps to some id, which names
    /// no issue unless `public` was published.
    pub fn issue_of_public_id(&self, public: uuid::Uuid) -> uuid::Uuid {
        let (mut left, mut right) = halves(public);
        for round in (0..FEISTEL_ROUNDS).rev() {
            (left, right) = (right ^ self.feistel_round(round, left), left);
        }
        join_halves(left, right)
    }

    fn feistel_round(&self, round: u8, half: u64) -> u64 {
        let mut value = [0u8; 9];
        value[0] = round;
        value[1..].copy_from_slice(&half.to_be_bytes());
        let mac = self.mac("public-issue-id", &value);
        let mut bytes = [0u8; 8];
        for (b, m) in bytes.iter_mut().zip(&mac) {
            *b = *m;
        }
        u64::from_be_bytes(bytes)
    }

    /// The receipt code of a response or issue: derived from its id, so a
    /// retried submission gets the same code without the code being stored.
    pub fn receipt_code(&self, id: uuid::Uuid) -> String {
        base32(&self.mac("receipt", id.as_bytes())[..20])
    }
}

const FEISTEL_ROUNDS: u8 = 4;

fn halves(id: uuid::Uuid) -> (u64, u64) {
    let n = id.as_u128();
    ((n >> 64) as u64, n as u64)
}

fn join_halves(left: u64, right: u64) -> uuid::Uuid {
    uuid::Uuid::from_u128((u128::from(left) << 64) | u128::from(right))
}

/// Lower-case RFC 4648 base32 without padding (no 0/1/8 look-alikes).
pub fn base32(bytes: &[u8]) -> String {
    // The alphabet's letters are all ASCII: lower-casing changes nothing else.
    data_encoding::BASE32_NOPAD.encode(bytes).to_ascii_lowercase()
}

/// Whether a text has the shape of a receipt code (32 base32 characters,
/// small letters).
pub fn receipt_shaped(code: &str) -> bool {
    code.len() == 32
        && code
            .bytes()
            .all(|b| b.is_ascii_lowercase() || (b'2'..=b'7').contains(&b))
}

/// A throttling key: `purpose:` and the keyed hash (the data key) of
/// `value`, so that a stored key tells neither the address nor the account
/// behind it, and cannot be reversed by hashing every IPv4 address.
pub fn throttle_key(data_key: &DataKey, purpose: &str, value: &str) -> String {
    format!("{purpose}:{}", data_key.hash(&format!("throttle:{purpose}"), value))
}

/// A random secret of `bytes` bytes, as URL-safe text.
pub fn random_secret(bytes: usize) -> String {
    use rand::RngCore;
    let mut buf = vec![0u8; bytes];
    rand::rng().fill_bytes(&mut buf);
    data_encoding::BASE64URL_NOPAD.encode(&buf)
}
