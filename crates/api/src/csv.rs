//! CSV documents for download, shared by every route that offers one.

use actix_web::HttpResponse;
use langnghe_domain::text::Lang;

/// A CSV document that opens cleanly in Excel: UTF-8 with BOM, CRLF, every
/// field quoted where needed, and cells that would start a formula made
/// plain text.
pub(crate) struct Csv(String);

impl Csv {
    pub(crate) fn new(header: &[String]) -> Csv {
        let mut c = Csv(String::from("\u{feff}"));
        c.push(header);
        c
    }

    /// A document for people: each column named in `lang` (Vietnamese,
    /// English).
    pub(crate) fn for_people(lang: Lang, columns: &[(&str, &str)]) -> Csv {
        let header: Vec<String> = columns
            .iter()
            .map(|(vi, en)| match lang {
                Lang::Vi => (*vi).to_owned(),
                Lang::En => (*en).to_owned(),
            })
            .collect();
        Csv::new(&header)
    }

    pub(crate) fn push(&mut self, fields: &[String]) {
        let line: Vec<String> = fields
            .iter()
            .map(|f| {
                let f = if f.starts_with(['=', '+', '-', '@', '\t', '\r']) && f.parse::<f64>().is_err() {
                    format!("'{f}")
                } else {
                    f.clone()
                };
                if f.contains([',', '"', '\n', '\r']) {
                    format!("\"{}\"", f.replace('"', "\"\""))
                } else {
                    f
                }
            })
            .collect();
        self.0.push_str(&line.join(","));
        self.0.push_str("\r\n");
    }

    /// Adds `lines` in random order, so that their order tells nothing (of
    /// who answered first, say).
    pub(crate) fn push_shuffled(&mut self, mut lines: Vec<Vec<String>>) {
        use rand::seq::SliceRandom;
        lines.shuffle(&mut rand::rng());
        for line in &lines {
            self.push(line);
        }
    }

    pub(crate) fn response(self, filename: &str) -> HttpResponse {
        HttpResponse::Ok()
            .content_type("text/csv; charset=utf-8")
            .insert_header(("Content-Disposition", format!("attachment; filename=\"{filename}\"")))
            .body(self.0)
    }
}
