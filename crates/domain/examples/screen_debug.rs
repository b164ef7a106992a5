//! What the screen makes of each line on stdin: the outcome, severity,
//! categories and the words that fired, then the redacted text. For looking
//! at new sentences before adding them to the labelled set:
//! `printf '%s\n' "em ko muon di hoc nua" | cargo run -q -p langnghe-domain --example screen_debug`

use std::io::BufRead;

fn main() {
    for line in std::io::stdin().lock().lines().map_while(Result::ok) {
        let s = langnghe_domain::screen::screen(&line);
        let found = match &s.concern {
            None => "-".to_owned(),
            Some(c) => format!(
                "{} {} [{}] {:?}",
                c.outcome.as_str(),
                c.severity.as_str(),
                c.categories.iter().map(|c| c.as_str()).collect::<Vec<_>>().join(","),
                c.matched
            ),
        };
        println!("{line}\n    => {found}\n    => {}", s.redacted);
    }
}
