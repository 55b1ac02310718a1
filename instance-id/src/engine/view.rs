//! The one door through which every strategy sees the system.
//!
//! A [`SystemView`] is files under a root directory, an environment, a host name and a
//! process id. [`SystemView::live`] is the running process on `/`;
//! [`SystemView::snapshot`] is a directory laid out like `/` (the fixtures, or
//! `instance-id detect --root DIR`). Strategies never touch `std::fs` or `std::env`
//! themselves, so a snapshot and the real system are the same input.

use std::collections::BTreeMap;
use std::ffi::OsString;
use std::fs::File;
use std::io::Read;
use std::path::{Path, PathBuf};

use crate::engine::Quoted;
use crate::identity::expose::HashKeyError;

/// The kernel's UTS name as `/proc` shows it to a reader in the same UTS namespace.
const KERNEL_HOSTNAME: &str = "/proc/sys/kernel/hostname";
/// The host name file an image or a runtime writes.
const HOSTNAME_FILE: &str = "/etc/hostname";

/// The most a strategy reads from any one file: 512 KiB.
///
/// Inside a container `/proc/self/mountinfo` is a few KiB and `/proc/self/cgroup` well
/// under one; a busy Kubernetes node's own mount table reaches a few hundred KiB. A
/// file past this bound is refused whole rather than read in part: the last mount at
/// a mount point is the one that counts, and a truncated table could hide it.
pub(crate) const MAX_FILE_BYTES: usize = 512 * 1024;

/// The most read from a snapshot's `proc/self/environ`: 1 MiB, about what the kernel
/// lets a process start with (`ARG_MAX` for arguments and environment together).
const MAX_ENVIRON_BYTES: usize = 1024 * 1024;

/// What one look-up in the environment found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EnvValue<'a> {
    /// The variable is not set.
    Unset,
    /// The variable is set to valid UTF-8.
    Set(&'a str),
    /// The variable is set, but its value is not UTF-8.
    NotUtf8,
}

/// Files under a root, an environment, a host name and a pid: everything a strategy may
/// look at.
///
/// # Example
///
/// ```
/// use instance_id::SystemView;
///
/// use instance_id::{detect, Chain, Strategy};
///
/// let dir = tempfile::tempdir()?;
/// std::fs::create_dir_all(dir.path().join("etc"))?;
/// std::fs::write(dir.path().join("etc/hostname"), "web-1\n")?;
///
/// let view = SystemView::snapshot(dir.path());
/// let chain = Chain::new(Strategy::Hostname, [])?;
/// assert_eq!(detect(&chain, &view)?.id.as_str(), "web-1");
/// assert_eq!(view.var("HOME"), instance_id::EnvValue::Unset); // no proc/self/environ
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone)]
pub struct SystemView {
    files: Files,
    env: Result<BTreeMap<String, OsString>, String>,
    hostname: Result<String, String>,
    pid: Result<u32, String>,
    network: bool,
}

impl SystemView {
    /// The running process: `/`, its own environment, the kernel's host name, its pid.
    /// The `ecs` strategy may query the metadata endpoint.
    pub fn live() -> Self {
        let env = std::env::vars_os()
            .filter_map(|(name, value)| Some((name.into_string().ok()?, value)))
            .collect();
        Self {
            files: Files::Live,
            env: Ok(env),
            hostname: kernel_hostname(),
            pid: Ok(std::process::id()),
            network: true,
        }
    }

    /// A directory laid out like `/`, read as the live system is: files from
    /// `DIR/...`, the environment from `DIR/proc/self/environ` (NUL-separated, empty
    /// when the file is absent), the host name from `DIR/proc/sys/kernel/hostname` (the
    /// kernel's UTS name, what a live process gets; without it `DIR/etc/hostname`
    /// stands for it), the pid from `DIR/proc/self/stat` when present.
    ///
    /// `DIR` is a root, as for `chroot`: every path, and every symbolic link inside the
    /// snapshot, absolute or with `..`, resolves inside it, so a snapshot never makes
    /// the engine read a file outside it. A snapshot never reaches the network: its
    /// metadata endpoint is not this machine's to ask.
    pub fn snapshot(root: impl Into<PathBuf>) -> Self {
        let files = Files::Snapshot(root.into());
        let env = match files.read_bytes("/proc/self/environ", MAX_ENVIRON_BYTES) {
            Ok(bytes) => Ok(parse_environ(&bytes)),
            Err(ReadError::Missing) => Ok(BTreeMap::new()),
            Err(err) => Err(format!("proc/self/environ {err}")),
        };
        let hostname = match files.first_line(KERNEL_HOSTNAME) {
            Err(ReadError::Missing) => files
                .first_line(HOSTNAME_FILE)
                .map_err(|err| format!("{HOSTNAME_FILE} {err}")),
            kernel => kernel.map_err(|err| format!("{KERNEL_HOSTNAME} {err}")),
        };
        let pid = files
            .read_text("/proc/self/stat", MAX_FILE_BYTES)
            .map_err(|err| format!("proc/self/stat {err}"))
            .and_then(|stat| {
                let first = stat.split_whitespace().next().unwrap_or("");
                first.parse().map_err(|_| {
                    format!(
                        "proc/self/stat does not start with a pid: {}",
                        Quoted(first)
                    )
                })
            });
        Self {
            files,
            env,
            hostname,
            pid,
            network: false,
        }
    }

    /// Another running process, as it would see itself: `/proc/PID/cgroup`,
    /// `/proc/PID/mountinfo` and `/proc/PID/environ` for its own, every other file
    /// through its root (`/proc/PID/root/etc/hostname`), its host name (the kernel's
    /// when it shares this process's UTS namespace, else its `/etc/hostname`), its pid.
    /// Reading another user's process needs the rights `ps e` needs.
    ///
    /// ```no_run
    /// use instance_id::{detect, Chain, SystemView};
    ///
    /// let app = SystemView::of_process(4242);
    /// println!("{:?}", detect(&Chain::default(), &app).map(|d| d.id));
    /// ```
    pub fn of_process(pid: u32) -> Self {
        let files = Files::Process(pid);
        let env = files
            .read_bytes("/proc/self/environ", MAX_ENVIRON_BYTES)
            .map(|bytes| parse_environ(&bytes))
            .map_err(|err| format!("/proc/{pid}/environ {err}"));
        let uts = |link: &str| std::fs::read_link(link).ok();
        let hostname = match (
            uts("/proc/self/ns/uts"),
            uts(&format!("/proc/{pid}/ns/uts")),
        ) {
            (Some(ours), Some(theirs)) if ours == theirs => kernel_hostname(),
            // The kernel shows a reader only its own UTS name: for a process in
            // another UTS namespace, its /etc/hostname is the nearest word.
            _ => files
                .first_line(HOSTNAME_FILE)
                .map_err(|err| format!("/proc/{pid}/root{HOSTNAME_FILE} {err}")),
        };
        Self {
            files,
            env,
            hostname,
            pid: Ok(pid),
            network: true,
        }
    }

    /// Replaces the environment (tests, and apps that detect on behalf of another
    /// process).
    ///
    /// ```
    /// use instance_id::{EnvValue, SystemView};
    ///
    /// let view = SystemView::snapshot("/nonexistent").with_env([("POD_NAME", "web-7d9f")]);
    /// assert_eq!(view.var("POD_NAME"), EnvValue::Set("web-7d9f"));
    /// ```
    pub fn with_env<K, V>(mut self, vars: impl IntoIterator<Item = (K, V)>) -> Self
    where
        K: Into<String>,
        V: Into<OsString>,
    {
        self.env = Ok(vars
            .into_iter()
            .map(|(k, v)| (k.into(), v.into()))
            .collect());
        self
    }

    /// Allows or forbids network look-ups (the `ecs` strategy).
    pub fn with_network(mut self, allowed: bool) -> Self {
        self.network = allowed;
        self
    }

    /// One environment variable.
    pub fn var(&self, name: &str) -> EnvValue<'_> {
        match &self.env {
            Ok(env) => match env.get(name) {
                None => EnvValue::Unset,
                Some(value) => value.to_str().map_or(EnvValue::NotUtf8, EnvValue::Set),
            },
            Err(_) => EnvValue::Unset,
        }
    }

    /// Why the environment could not be read, if it could not.
    pub(crate) fn env_error(&self) -> Option<&str> {
        self.env.as_ref().err().map(String::as_str)
    }

    /// The key of `expose = hashed("ENV")`: a valid variable name, set, UTF-8 and not
    /// empty, or an error that says which.
    ///
    /// ```
    /// use instance_id::SystemView;
    ///
    /// let view = SystemView::snapshot("/nonexistent").with_env([("ID_KEY", "s3cret")]);
    /// assert_eq!(view.hash_key("ID_KEY"), Ok("s3cret"));
    /// assert_eq!(view.hash_key("NOPE").unwrap_err().to_string(), "the hash key $NOPE is not set");
    /// ```
    pub fn hash_key(&self, key_env: &str) -> Result<&str, HashKeyError> {
        instance_id_grammar::hash_key_env(key_env)?;
        let env = || key_env.to_owned();
        match self.var(key_env) {
            EnvValue::Set(key) if !key.is_empty() => Ok(key),
            EnvValue::Set(_) => Err(HashKeyError::Empty { env: env() }),
            EnvValue::NotUtf8 => Err(HashKeyError::NotUtf8 { env: env() }),
            EnvValue::Unset => Err(HashKeyError::NotSet { env: env() }),
        }
    }

    /// The host name (the kernel's when live, `proc/sys/kernel/hostname` else
    /// `etc/hostname` in a snapshot), trimmed;
    /// a blank one is none (it would make `process` name `-<pid>`).
    pub(crate) fn hostname(&self) -> Result<&str, &str> {
        match self.hostname.as_deref().map(str::trim) {
            Ok("") => Err("the host name is empty"),
            Ok(name) => Ok(name),
            Err(err) => Err(err),
        }
    }

    /// The process id (this process when live, `proc/self/stat` in a snapshot).
    pub(crate) fn pid(&self) -> Result<u32, &str> {
        self.pid.as_ref().copied().map_err(String::as_str)
    }

    /// Whether network look-ups are allowed.
    pub(crate) fn network_allowed(&self) -> bool {
        self.network
    }

    /// Reads a text file at an absolute in-system path (`/proc/self/cgroup`), at most
    /// [`MAX_FILE_BYTES`]. The error is a reason a person can read, naming the path.
    pub(crate) fn read(&self, path: &str) -> Result<String, String> {
        self.read_limited(path, MAX_FILE_BYTES)
    }

    /// [`read`](Self::read) with a smaller bound.
    pub(crate) fn read_limited(&self, path: &str, limit: usize) -> Result<String, String> {
        self.files
            .read_text(path, limit)
            .map_err(|err| format!("{path} {err}"))
    }
}

/// Where a view's files are.
#[derive(Debug, Clone)]
enum Files {
    /// This process's `/`.
    Live,
    /// A directory taken as `/`, as `chroot` takes it.
    Snapshot(PathBuf),
    /// Another process: its `/proc/PID/…`, and its root for the rest.
    Process(u32),
}

impl Files {
    /// The file an absolute in-system path names.
    fn locate(&self, path: &str) -> Result<PathBuf, ReadError> {
        match self {
            Files::Live => Ok(PathBuf::from(path)),
            Files::Snapshot(root) => resolve_in_root(root, path),
            Files::Process(pid) => Ok(match path.strip_prefix("/proc/self/") {
                Some(own) => PathBuf::from(format!("/proc/{pid}/{own}")),
                // The rest of /proc is the kernel's, the same for every process.
                None if path.starts_with("/proc/") => PathBuf::from(path),
                // The kernel enters /proc/PID/root as the process's own root, but an
                // absolute link found inside would restart from ours: walk it as a
                // chroot, the same as a snapshot.
                None => return resolve_in_root(Path::new(&format!("/proc/{pid}/root")), path),
            }),
        }
    }

    fn read_bytes(&self, path: &str, limit: usize) -> Result<Vec<u8>, ReadError> {
        read_bytes(&self.locate(path)?, limit)
    }

    fn read_text(&self, path: &str, limit: usize) -> Result<String, ReadError> {
        read_text(&self.locate(path)?, limit)
    }

    /// The first line of a file, trimmed: a host name as `/etc/hostname` or the
    /// kernel's `/proc/sys/kernel/hostname` writes it.
    fn first_line(&self, path: &str) -> Result<String, ReadError> {
        self.read_text(path, MAX_FILE_BYTES)
            .map(|text| text.lines().next().unwrap_or("").trim().to_owned())
    }
}

/// The most symbolic links followed for one path, as Linux allows.
const MAX_LINKS: usize = 40;

/// `path` inside `root` as a process chrooted there would find it: `..` stops at the
/// root, and a symbolic link is followed inside the root, an absolute one from the
/// root.
fn resolve_in_root(root: &Path, path: &str) -> Result<PathBuf, ReadError> {
    use std::path::Component;
    // Parts still to walk, the next one last.
    let mut pending: Vec<OsString> = Vec::new();
    let push = |pending: &mut Vec<OsString>, path: &Path| {
        for part in path.components().rev() {
            match part {
                Component::Normal(name) => pending.push(name.to_owned()),
                Component::ParentDir => pending.push(OsString::from("..")),
                Component::RootDir | Component::CurDir | Component::Prefix(_) => {}
            }
        }
    };
    push(&mut pending, Path::new(path));
    let mut inside = PathBuf::new();
    let mut links = 0;
    while let Some(part) = pending.pop() {
        if part == ".." {
            inside.pop();
            continue;
        }
        let candidate = root.join(&inside).join(&part);
        match std::fs::symlink_metadata(&candidate) {
            Ok(meta) if meta.file_type().is_symlink() => {
                links += 1;
                if links > MAX_LINKS {
                    return Err(ReadError::TooManyLinks);
                }
                let target = std::fs::read_link(&candidate).map_err(ReadError::Io)?;
                if target.is_absolute() {
                    inside.clear();
                }
                push(&mut pending, &target);
            }
            // Missing or unreadable parts stay as they are: the open then says why.
            Ok(_) | Err(_) => inside.push(&part),
        }
    }
    Ok(root.join(inside))
}

/// Why a bounded read failed.
#[derive(Debug)]
enum ReadError {
    Missing,
    NotRegular(&'static str),
    TooLarge(usize),
    NotUtf8(usize),
    TooManyLinks,
    Io(std::io::Error),
}

impl std::fmt::Display for ReadError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ReadError::Missing => f.write_str("does not exist"),
            ReadError::NotRegular(kind) => write!(f, "is {kind}, not a regular file"),
            ReadError::TooLarge(limit) => {
                write!(
                    f,
                    "is larger than {} KiB: refused, not read in part",
                    limit / 1024
                )
            }
            ReadError::NotUtf8(at) => write!(f, "is not UTF-8 text (invalid byte at offset {at})"),
            ReadError::TooManyLinks => {
                write!(f, "goes through more than {MAX_LINKS} symbolic links")
            }
            ReadError::Io(err) => write!(f, "cannot be read: {err}"),
        }
    }
}

fn read_text(path: &Path, limit: usize) -> Result<String, ReadError> {
    let bytes = read_bytes(path, limit)?;
    String::from_utf8(bytes).map_err(|err| ReadError::NotUtf8(err.utf8_error().valid_up_to()))
}

/// Reads at most `limit` bytes; a FIFO, socket, device or directory is an error at once,
/// never a blocking read.
fn read_bytes(path: &Path, limit: usize) -> Result<Vec<u8>, ReadError> {
    let file = open_nonblocking(path).map_err(|err| match err.kind() {
        std::io::ErrorKind::NotFound => ReadError::Missing,
        _ => ReadError::Io(err),
    })?;
    let kind = file.metadata().map_err(ReadError::Io)?.file_type();
    if !kind.is_file() {
        return Err(ReadError::NotRegular(describe(&kind)));
    }
    // /proc files claim a size of 0; a buffer that fits a container's whole mount table
    // reads it in one system call, where growing from nothing takes a dozen (and each
    // makes the kernel walk the mount table again).
    let mut bytes = Vec::with_capacity(limit.min(16 * 1024) + 1);
    // One byte past the bound tells "exactly at the limit" from "over it".
    file.take(limit as u64 + 1)
        .read_to_end(&mut bytes)
        .map_err(ReadError::Io)?;
    if bytes.len() > limit {
        return Err(ReadError::TooLarge(limit));
    }
    Ok(bytes)
}

#[cfg(unix)]
fn open_nonblocking(path: &Path) -> std::io::Result<File> {
    use rustix::fs::{Mode, OFlags};
    // O_NONBLOCK: opening a FIFO for reading would otherwise wait for a writer forever.
    let flags = OFlags::RDONLY | OFlags::NONBLOCK | OFlags::NOCTTY | OFlags::CLOEXEC;
    Ok(File::from(rustix::fs::open(path, flags, Mode::empty())?))
}

#[cfg(not(unix))]
fn open_nonblocking(path: &Path) -> std::io::Result<File> {
    std::fs::OpenOptions::new().read(true).open(path)
}

/// The kernel's host name for this UTS namespace (`uname -n`): /etc/hostname may be
/// stale or absent (`FROM scratch` images), this one is what the process really has.
#[cfg(unix)]
fn kernel_hostname() -> Result<String, String> {
    let uname = rustix::system::uname();
    uname
        .nodename()
        .to_str()
        .map(|name| name.trim().to_owned())
        .map_err(|_| "the kernel's host name is not UTF-8".to_owned())
}

#[cfg(not(unix))]
fn kernel_hostname() -> Result<String, String> {
    Err("the kernel's host name is only read on Unix".to_owned())
}

fn describe(kind: &std::fs::FileType) -> &'static str {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if kind.is_fifo() {
            return "a FIFO";
        }
        if kind.is_socket() {
            return "a socket";
        }
        if kind.is_block_device() || kind.is_char_device() {
            return "a device";
        }
    }
    if kind.is_dir() {
        "a directory"
    } else {
        "not a file"
    }
}

/// `NAME=value\0NAME=value\0`, as the kernel writes `/proc/<pid>/environ`.
fn parse_environ(bytes: &[u8]) -> BTreeMap<String, OsString> {
    bytes
        .split(|&b| b == 0)
        .filter_map(|entry| {
            let eq = entry.iter().position(|&b| b == b'=')?;
            let name = std::str::from_utf8(&entry[..eq]).ok()?;
            Some((name.to_owned(), bytes_to_os(&entry[eq + 1..])))
        })
        .collect()
}

#[cfg(unix)]
fn bytes_to_os(bytes: &[u8]) -> OsString {
    use std::os::unix::ffi::OsStringExt;
    OsString::from_vec(bytes.to_vec())
}

#[cfg(not(unix))]
fn bytes_to_os(bytes: &[u8]) -> OsString {
    String::from_utf8_lossy(bytes).into_owned().into()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn environ_is_nul_separated_and_keeps_non_utf8_apart() {
        let env = parse_environ(b"A=1\0B=x=y\0BAD\0C=\xff\0");
        assert_eq!(env.get("A").and_then(|v| v.to_str()), Some("1"));
        assert_eq!(env.get("B").and_then(|v| v.to_str()), Some("x=y"));
        assert!(!env.contains_key("BAD"));
        assert!(env.get("C").is_some_and(|v| v.to_str().is_none()));
    }

    #[test]
    fn bounded_read_refuses_oversized_files() {
        let dir = tempfile::tempdir().expect("tempdir");
        std::fs::write(dir.path().join("big"), vec![b'a'; 100]).expect("write");
        let view = SystemView::snapshot(dir.path());
        assert!(view.read_limited("/big", 100).is_ok());
        let err = view.read_limited("/big", 99).expect_err("over the bound");
        assert!(err.contains("larger than"), "{err}");
    }

    #[test]
    fn a_snapshot_takes_the_kernel_host_name_as_a_live_process_does() {
        let dir = tempfile::tempdir().expect("tempdir");
        std::fs::create_dir_all(dir.path().join("etc")).expect("mkdir");
        std::fs::write(dir.path().join("etc/hostname"), "vm\n").expect("write");
        assert_eq!(SystemView::snapshot(dir.path()).hostname(), Ok("vm"));
        std::fs::create_dir_all(dir.path().join("proc/sys/kernel")).expect("mkdir");
        std::fs::write(dir.path().join("proc/sys/kernel/hostname"), "sandbox-7\n").expect("write");
        assert_eq!(SystemView::snapshot(dir.path()).hostname(), Ok("sandbox-7"));
        std::fs::remove_file(dir.path().join("etc/hostname")).expect("remove");
        assert_eq!(SystemView::snapshot(dir.path()).hostname(), Ok("sandbox-7"));
    }

    #[test]
    fn a_directory_is_a_reason() {
        let dir = tempfile::tempdir().expect("tempdir");
        std::fs::create_dir_all(dir.path().join("etc/hostname")).expect("mkdir");
        let err = SystemView::snapshot(dir.path())
            .read("/etc/hostname")
            .expect_err("a directory");
        assert!(err.contains("a directory"), "{err}");
    }
}
