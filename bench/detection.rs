//! A whole detection against one run of the usual shell pipeline, side by side.
//!
//! `cargo bench --bench detection`
//!
//! The three are measured in interleaved rounds (A B C, A B C, …) so that a noisy,
//! shared machine slows them alike; each figure is the median over the rounds of the
//! mean time per run within a round. The table goes to standard output and into its own
//! section of `bench/RESULTS.md`, with the date and the commit it measured; the rest
//! of that file is `bash bench/run`'s and is kept as it is.

use std::hint::black_box;
use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant, SystemTime};

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
    let table = [
        "| what | median per run | shell pipeline ÷ this |".to_owned(),
        "|---|---|---|".to_owned(),
        format!(
            "| detection, live system (default chain) | {a:?} | {:.0}× |",
            ratio(c, a)
        ),
        format!(
            "| detection, fixture `docker-private-cgroupns` | {b:?} | {:.0}× |",
            ratio(c, b)
        ),
        format!(
            "| floor: `std::fs::read` of /proc/self/cgroup and /proc/self/mountinfo | {f:?} | {:.0}× |",
            ratio(c, f)
        ),
        format!("| shell pipeline (cat, grep, sed), one run | {c:?} | 1× |"),
    ]
    .join("\n");
    println!("{table}");

    let section = format!(
        "## Detection at launch\n\n\
         A whole detection against one run of the usual shell pipeline (`{PIPELINE}`).\n\
         Command: `cargo bench --bench detection` ({ROUNDS} interleaved rounds; each figure is\n\
         the median over the rounds of the mean time per run). Taken {} at {}.\n\n{table}\n",
        humantime::format_rfc3339_seconds(SystemTime::now()),
        commit(),
    );
    let results = Path::new(env!("CARGO_MANIFEST_DIR")).join("bench/RESULTS.md");
    if let Err(err) = write_section(&results, "cargo bench --bench detection", &section) {
        eprintln!("cannot write {}: {err}", results.display());
        std::process::exit(1);
    }
}

/// The commit measured, as `git describe` would name it for a reader of the file, or
/// what stands in for it outside a git checkout.
fn commit() -> String {
    let git = |args: &[&str]| {
        Command::new("git")
            .args(args)
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .output()
            .ok()
            .filter(|out| out.status.success())
            .map(|out| String::from_utf8_lossy(&out.stdout).trim().to_owned())
    };
    match git(&["rev-parse", "--short=12", "HEAD"]) {
        None => "no git commit (not a checkout)".to_owned(),
        Some(head) => {
            // The figures file itself is rewritten by every run: it does not make the
            // measured code differ from its commit.
            let changes = git(&["status", "--porcelain", "--", ".", ":!bench/RESULTS.md"]);
            let changed = !matches!(changes.as_deref(), Some(""));
            if changed {
                format!("commit {head} with uncommitted changes")
            } else {
                format!("commit {head}")
            }
        }
    }
}

/// Replaces this command's section of the figures file (between its two marker lines),
/// or adds it at the end; every other section is kept byte for byte.
fn write_section(path: &Path, name: &str, section: &str) -> std::io::Result<()> {
    let (begin, end) = (
        format!("<!-- begin: {name} -->\n"),
        format!("<!-- end: {name} -->\n"),
    );
    let text = match std::fs::read_to_string(path) {
        Ok(text) => text,
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => String::new(),
        Err(err) => return Err(err),
    };
    let framed = format!("{begin}{section}{end}");
    let updated = match (text.find(&begin), text.find(&end)) {
        (Some(b), Some(e)) if b < e => {
            format!("{}{framed}{}", &text[..b], &text[e + end.len()..])
        }
        _ if text.is_empty() => format!("{}\n{framed}", RESULTS_TITLE),
        _ => format!("{}\n\n{framed}", text.trim_end_matches('\n')),
    };
    std::fs::write(path, updated)
}

/// The figures file's opening, when a run finds no file.
const RESULTS_TITLE: &str = "# Benchmarks: latest figures\n\n\
    Each section is written by the command it names, with the date and the commit it\n\
    measured; none is edited by hand.\n";

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
