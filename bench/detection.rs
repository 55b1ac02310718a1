//! A whole detection against one run of the usual shell pipeline, side by side.
//!
//! `cargo bench --bench detection`
//!
//! The three are measured in interleaved rounds (A B C, A B C, …) so that a noisy,
//! shared machine slows them alike; each figure is the median over the rounds of the
//! mean time per run within a round. Latest figures: `bench/RESULTS.md`, which `bash bench/run` writes.

use std::hint::black_box;
use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use instance_id::{detect, Chain, SystemView};

const ROUNDS: usize = 31;
const DETECTIONS_PER_ROUND: u32 = 200;
const PIPELINES_PER_ROUND: u32 = 5;

/// The usual approach, `cat | grep | sed` of the cgroup file, as a service would run
/// it per request.
const PIPELINE: &str = r"cat /proc/self/cgroup | grep docker | sed 's/^.*\///' | tail -n1";

fn main() {
    let fixture =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata/fixtures/docker-private-cgroupns");
    assert!(
        fixture.is_dir(),
        "{} is missing: the benchmark reads the repository's testdata/",
        fixture.display()
    );
    let chain = Chain::default();

    let live = || {
        let view = SystemView::live();
        black_box(detect(&chain, &view).is_ok());
    };
    let snapshot = || {
        let view = SystemView::snapshot(&fixture);
        black_box(detect(&chain, &view).is_ok());
    };
    // The floor: what the kernel alone charges to produce the two files a detection
    // reads on a host (cgroup says nothing, so mountinfo is read too).
    let floor = || {
        for file in ["/proc/self/cgroup", "/proc/self/mountinfo"] {
            black_box(std::fs::read(file).map(|b| b.len()).unwrap_or(0));
        }
    };
    let pipeline = || {
        let out = Command::new("sh")
            .args(["-c", PIPELINE])
            .output()
            .expect("sh runs");
        black_box(out.stdout);
    };

    // Warm the page cache and the allocator once.
    live();
    snapshot();
    pipeline();

    let (mut a, mut b, mut f, mut c) = (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    for _ in 0..ROUNDS {
        a.push(per_run(DETECTIONS_PER_ROUND, live));
        b.push(per_run(DETECTIONS_PER_ROUND, snapshot));
        f.push(per_run(DETECTIONS_PER_ROUND, floor));
        c.push(per_run(PIPELINES_PER_ROUND, pipeline));
    }
    let (a, b, f, c) = (median(a), median(b), median(f), median(c));
    println!("| what | median per run | shell pipeline ÷ this |");
    println!("|---|---|---|");
    println!(
        "| detection, live system (default chain) | {a:?} | {:.0}× |",
        ratio(c, a)
    );
    println!(
        "| detection, fixture `docker-private-cgroupns` | {b:?} | {:.0}× |",
        ratio(c, b)
    );
    println!(
        "| floor: `std::fs::read` of /proc/self/cgroup and /proc/self/mountinfo | {f:?} | {:.0}× |",
        ratio(c, f)
    );
    println!("| shell pipeline (cat, grep, sed), one run | {c:?} | 1× |");
}

fn per_run(n: u32, mut f: impl FnMut()) -> Duration {
    let start = Instant::now();
    for _ in 0..n {
        f();
    }
    start.elapsed() / n
}

fn median(mut xs: Vec<Duration>) -> Duration {
    xs.sort_unstable();
    xs[xs.len() / 2]
}

fn ratio(slow: Duration, fast: Duration) -> f64 {
    slow.as_secs_f64() / fast.as_secs_f64().max(f64::MIN_POSITIVE)
}
