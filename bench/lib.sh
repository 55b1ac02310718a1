# What the benchmark scripts share (sourced by bench/run and bench/probe-profile).

# write_section FILE NAME SECTION_FILE: replaces NAME's section of FILE (between its
# begin and end markers), or adds it at the end; the other sections stay as they are.
write_section() {
  python3 - "$@" <<'PY'
import sys
path, name, section_file = sys.argv[1:]
begin, end = f"<!-- begin: {name} -->\n", f"<!-- end: {name} -->\n"
framed = begin + open(section_file, encoding="utf-8").read() + end
text = open(path, encoding="utf-8").read()
b, e = text.find(begin), text.find(end)
if 0 <= b < e:
    text = text[:b] + framed + text[e + len(end):]
else:
    text = text.rstrip("\n") + "\n\n" + framed
open(path, "w", encoding="utf-8").write(text)
PY
}

# The commit measured; the figures files themselves do not count as a change.
commit() {
  local head
  head=$(git rev-parse --short=12 HEAD 2>/dev/null) || { echo "no git commit (not a checkout)"; return; }
  if [ -n "$(git status --porcelain -- . ':!bench/RESULTS.md' ':!bench/PROBE-PROFILE.md')" ]; then
    echo "commit $head with uncommitted changes"
  else
    echo "commit $head"
  fi
}

