//! `SystemView::of_process`: another process's files are read as that process sees them.
//! A process that `chroot`s (as every container does) may hold absolute symbolic links
//! that mean something else outside its root; reading through `/proc/PID/root` must
//! follow them inside that root, never into the reader's.

#![cfg(target_os = "linux")]

use std::ffi::CString;
use std::os::unix::ffi::OsStrExt;
use std::path::Path;

use instance_id::{detect, Chain, Strategy, SystemView};

/// A child process chrooted into `root`, waiting to be read; killed when dropped.
struct Chrooted(libc::pid_t);

impl Chrooted {
    fn spawn(root: &Path) -> Self {
        let root = CString::new(root.as_os_str().as_bytes()).expect("a path without NUL");
        let (ready_read, ready_write) = {
            let mut fds = [0; 2];
            // SAFETY: `fds` has room for the two descriptors pipe(2) writes.
            assert_eq!(unsafe { libc::pipe(fds.as_mut_ptr()) }, 0, "pipe");
            (fds[0], fds[1])
        };
        // SAFETY: the child calls only async-signal-safe functions (chroot, chdir,
        // write, pause, _exit) before it is killed.
        let pid = unsafe { libc::fork() };
        assert!(pid >= 0, "fork");
        if pid == 0 {
            unsafe {
                let ok = libc::chroot(root.as_ptr()) == 0 && libc::chdir(c"/".as_ptr()) == 0;
                let byte = [u8::from(ok)];
                libc::write(ready_write, byte.as_ptr().cast(), 1);
                loop {
                    libc::pause();
                }
            }
        }
        let child = Chrooted(pid);
        let mut byte = [0u8];
        // SAFETY: reads one byte into a one-byte buffer.
        let read = unsafe { libc::read(ready_read, byte.as_mut_ptr().cast(), 1) };
        unsafe {
            libc::close(ready_read);
            libc::close(ready_write);
        }
        assert!(
            read == 1 && byte[0] == 1,
            "the child could not chroot: this test needs root (CAP_SYS_CHROOT), as CI runs it"
        );
        child
    }
}

impl Drop for Chrooted {
    fn drop(&mut self) {
        // SAFETY: our own child, killed and reaped once.
        unsafe {
            libc::kill(self.0, libc::SIGKILL);
            libc::waitpid(self.0, std::ptr::null_mut(), 0);
        }
    }
}

#[test]
fn absolute_links_resolve_inside_the_process_root() {
    let outside = tempfile::tempdir().expect("a temporary directory");
    let host_file = outside.path().join("host-secret");
    std::fs::write(&host_file, "host-secret-value\n").expect("written");

    let root = tempfile::tempdir().expect("a temporary directory");
    // Inside the root, the same absolute path holds the process's own value.
    let inside = root
        .path()
        .join(host_file.strip_prefix("/").expect("absolute"));
    std::fs::create_dir_all(inside.parent().expect("a parent")).expect("mkdir");
    std::fs::write(&inside, "inside-value\n").expect("written");
    std::fs::create_dir_all(root.path().join("etc")).expect("mkdir");
    std::os::unix::fs::symlink(&host_file, root.path().join("etc/app-id")).expect("a link");
    std::os::unix::fs::symlink(&host_file, root.path().join("etc/hostname")).expect("a link");

    let child = Chrooted::spawn(root.path());
    let view = SystemView::of_process(child.0 as u32);
    let chain = Chain::new(Strategy::file("/etc/app-id"), []).expect("a chain");
    let detection = detect(&chain, &view).expect("the file is read");
    assert_eq!(detection.id.as_str(), "inside-value");

    // A link that leads nowhere inside the root is missing, not the reader's file.
    std::fs::remove_file(&inside).expect("removed");
    let err = detect(&chain, &view).expect_err("nothing inside the root");
    assert!(!err.to_string().contains("host-secret-value"), "{err}");
}

/// A blank host name is no host name: `process` names the process by a hash, never
/// `-<pid>` (which a command line would read as an option).
#[test]
fn a_blank_host_name_is_none() {
    for blank in ["", "\n", "   \n", "\t\n"] {
        let root = tempfile::tempdir().expect("a temporary directory");
        std::fs::create_dir_all(root.path().join("etc")).expect("mkdir");
        std::fs::create_dir_all(root.path().join("proc/self")).expect("mkdir");
        std::fs::write(root.path().join("etc/hostname"), blank).expect("written");
        std::fs::write(root.path().join("proc/self/stat"), "4242 (app) S 1").expect("written");
        let view = SystemView::snapshot(root.path());
        let chain = Chain::new(Strategy::Process, []).expect("a chain");
        let id = detect(&chain, &view).expect("process always decides").id;
        assert!(
            id.as_str().starts_with("proc-") && id.as_str().ends_with("-4242"),
            "{blank:?} gave {id}"
        );
        let chain = Chain::new(Strategy::Hostname, []).expect("a chain");
        let err = detect(&chain, &view).expect_err("no host name");
        assert!(err.to_string().contains("empty"), "{err}");
    }
}
