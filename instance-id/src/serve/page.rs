//! The identity route's page for people: what a browser gets from `GET <path>`.
//!
//! Self-contained (no external asset), its one style and one script allowed by hash in
//! a strict `Content-Security-Policy`, no inline event handler. Rendered once at
//! ignite.

use base64::Engine;
use sha2::{Digest, Sha256};

/// The page and the policy that lets exactly its own style and script run.
pub(crate) struct Page {
    pub html: String,
    pub csp: String,
}

const STYLE: &str = r#"
:root { color-scheme: light dark; font-family: system-ui, sans-serif; }
body { margin: 0; min-height: 100vh; display: grid; place-items: center; background: Canvas; color: CanvasText; }
main { max-width: 46rem; padding: 2rem; }
h1 { font-size: 1rem; font-weight: 600; margin: 0 0 1rem; opacity: .75; }
#id { display: block; font: 600 clamp(1.2rem, 3.2vw, 2.1rem)/1.35 ui-monospace, monospace; word-break: break-all;
      user-select: all; padding: 1rem 1.2rem; border: 2px solid #3b82f6; border-radius: .6rem; background: rgba(59,130,246,.08); }
.row { display: flex; flex-wrap: wrap; gap: .8rem 1.6rem; align-items: center; margin-top: 1rem; }
button { font: inherit; font-weight: 600; padding: .55rem 1.1rem; border-radius: .5rem; border: 0; background: #2563eb; color: white; cursor: pointer; }
button:disabled { opacity: .5; cursor: default; }
p { line-height: 1.5; }
dl { display: grid; grid-template-columns: auto 1fr; gap: .3rem 1rem; margin: 1.2rem 0 0; }
dt { opacity: .7; } dd { margin: 0; font-family: ui-monospace, monospace; }
#copied { opacity: 0; transition: opacity .2s; } #copied.shown { opacity: 1; }
"#;

const SCRIPT: &str = r##"
(function () {
  var id = document.getElementById("id").textContent;
  var copy = document.getElementById("copy");
  var copied = document.getElementById("copied");
  function done() { copied.classList.add("shown"); setTimeout(function () { copied.classList.remove("shown"); }, 1500); }
  function fallback() {
    var range = document.createRange();
    range.selectNodeContents(document.getElementById("id"));
    var selection = window.getSelection();
    selection.removeAllRanges();
    selection.addRange(range);
    try { document.execCommand("copy"); done(); } catch (e) {}
  }
  copy.addEventListener("click", function () {
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(id).then(done, fallback);
    } else {
      fallback();
    }
  });
  copy.disabled = false;
  var refresh = document.getElementById("refresh");
  refresh.checked = location.hash === "#refresh";
  var timer = null;
  function schedule() {
    clearTimeout(timer);
    if (refresh.checked) { timer = setTimeout(function () { location.reload(); }, 1000); }
  }
  refresh.addEventListener("change", function () {
    history.replaceState(null, "", refresh.checked ? "#refresh" : location.pathname);
    schedule();
  });
  schedule();
  document.body.setAttribute("data-ready", "1");
})();
"##;

impl Page {
    pub(crate) fn render(id: &str, short: &str, started_at: &str) -> Self {
        let (id, short, started_at) = (escape(id), escape(short), escape(started_at));
        let html = format!(
            r#"<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Instance {short}</title>
<style>{STYLE}</style>
</head>
<body>
<main>
<h1>You reached this instance of the service</h1>
<code id="id">{id}</code>
<div class="row">
<button id="copy" type="button" disabled>Copy the id</button>
<span id="copied" role="status">Copied</span>
<label><input id="refresh" type="checkbox"> Reload every second (watch the balancer rotate)</label>
</div>
<p>Something wrong? Paste this id into your report: it tells the team exactly which copy of the service answered you.</p>
<dl>
<dt>Short form</dt><dd>{short}</dd>
<dt>Started</dt><dd>{started_at}</dd>
</dl>
</main>
<script>{SCRIPT}</script>
</body>
</html>
"#
        );
        let csp = format!(
            "default-src 'none'; style-src '{}'; script-src '{}'; img-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
            sha256_source(STYLE),
            sha256_source(SCRIPT)
        );
        Self { html, csp }
    }
}

/// `sha256-<base64>`, a CSP hash source for an inline element's exact text.
fn sha256_source(text: &str) -> String {
    let digest = Sha256::digest(text.as_bytes());
    format!(
        "sha256-{}",
        base64::engine::general_purpose::STANDARD.encode(digest)
    )
}

/// Ids are printable ASCII, which still holds `<`, `&` and quotes.
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_and_hashes() {
        let page = Page::render("<a&'\">", "<a&", "2026-11-25T06:53:14Z");
        assert!(page
            .html
            .contains("<code id=\"id\">&lt;a&amp;&#39;&quot;&gt;</code>"));
        assert!(!page.html.contains("onclick"));
        assert!(page.csp.contains(&sha256_source(SCRIPT)));
        assert!(page.csp.starts_with("default-src 'none'"));
    }

    /// Known answers, not the code under test: the empty text, and the example of the
    /// CSP Level 2 specification (§4.2), whose hash browsers compute the same way.
    #[test]
    fn hash_sources_are_what_browsers_compute() {
        assert_eq!(
            sha256_source(""),
            "sha256-47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU="
        );
        assert_eq!(
            sha256_source("alert('Hello, world.');"),
            "sha256-qznLcsROx4GACP2dm0UCKCzCG+HiZ1guq6ZZDob/Tng="
        );
    }
}
