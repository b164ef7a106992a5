//! How long the screen takes per text, on sentences like the benchmark's:
//! `cargo run --release -p langnghe-domain --example screen_speed`.

fn main() {
    let texts = [
        "Em muốn sân trường có thêm cây xanh và ghế đá để ngồi chơi giờ ra chơi",
        "Đoạn đường từ nhà em tới trường không có đèn, tối về em sợ lắm",
        "e mun truong co them may nuoc uong, tui e hay bi khat lam a",
    ];
    let n = 20_000;
    let t = std::time::Instant::now();
    let mut k = 0;
    for i in 0..n {
        k += langnghe_domain::screen::screen(texts[i % 3]).redacted.len();
    }
    let e = t.elapsed();
    println!(
        "{n} screens in {:?}: {:.1} µs each ({k})",
        e,
        e.as_secs_f64() * 1e6 / n as f64
    );
}
