//! How long the screen takes per text, on sentences like the submission
//! benchmark's, and what each part of it costs:
//! `cargo run --release -p langnghe-domain --example screen_speed`.

use std::time::Instant;

fn main() {
    let texts = [
        "Em muốn sân trường có thêm cây xanh và ghế đá để ngồi chơi giờ ra chơi",
        "Đoạn đường từ nhà em tới trường không có đèn, tối về em sợ lắm",
        "e mun truong co them may nuoc uong, tui e hay bi khat lam a",
    ];
    let n = 20_000;
    let mut k = 0;
    for text in texts {
        let t = Instant::now();
        for _ in 0..n / 3 {
            k += langnghe_domain::screen::screen(text).redacted.len();
        }
        println!("{:>6.1} µs  {text}", t.elapsed().as_secs_f64() * 1e6 / (n / 3) as f64);
    }
    let t = Instant::now();
    for i in 0..n {
        k += langnghe_domain::screen::screen(texts[i % 3]).redacted.len();
    }
    let e = t.elapsed();
    println!(
        "{n} screens in {e:?}: {:.1} µs each ({k})",
        e.as_secs_f64() * 1e6 / n as f64
    );
}
