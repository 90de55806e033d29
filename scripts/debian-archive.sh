# shellcheck shell=bash
# Sourced by install-test-tools.sh, build-test-images.sh and start-docker28.sh (not run on its own).
#
# Reads the address and keyring of the Debian archive from this machine's own
# apt sources: the deb822 entry under /etc/apt/sources.list.d/ whose Suites
# contain the machine's VERSION_CODENAME. Nothing here names a host: other
# suites (backports, testing) are fetched from that same archive with that
# same keyring, through a sources file and lists directory of their own, so
# the machine's apt sources and package lists stay as they are.

# Sets HOST_CODENAME, ARCHIVE_URI and ARCHIVE_KEYRING (empty when the entry
# has no Signed-By: apt and debootstrap then use their default keyrings).
read_debian_archive() {
  # shellcheck source=/dev/null # the machine's own file, read when this runs
  HOST_CODENAME=$(. /etc/os-release && echo "${VERSION_CODENAME:-}")
  if [ -z "$HOST_CODENAME" ]; then
    echo "no VERSION_CODENAME in /etc/os-release: cannot tell which apt source is the Debian archive" >&2
    return 1
  fi
  local files=(/etc/apt/sources.list.d/*.sources) entry
  if [ ! -e "${files[0]}" ]; then
    echo "no deb822 .sources file under /etc/apt/sources.list.d/: cannot find the Debian archive" >&2
    return 1
  fi
  # Paragraph mode: one deb822 stanza per record. Comment lines and
  # continuation lines (an inline key) are skipped; the first enabled `deb`
  # stanza listing the codename wins.
  entry=$(cat "${files[@]}" | awk -v want="$HOST_CODENAME" '
    BEGIN { RS = ""; FS = "\n" }
    {
      types = ""; uris = ""; suites = ""; signed = ""; enabled = "yes"
      for (i = 1; i <= NF; i++) {
        line = $i
        if (line ~ /^#/ || line ~ /^[ \t]/ || index(line, ":") == 0) continue
        key = tolower(substr(line, 1, index(line, ":") - 1))
        value = substr(line, index(line, ":") + 1)
        gsub(/^[ \t]+|[ \t]+$/, "", value)
        if (key == "types") types = value
        else if (key == "uris") uris = value
        else if (key == "suites") suites = value
        else if (key == "signed-by") signed = value
        else if (key == "enabled") enabled = tolower(value)
      }
      if (enabled == "no" || (" " types " ") !~ / deb / || (" " suites " ") !~ (" " want " ")) next
      split(uris, u, /[ \t]+/)
      print u[1] "\t" signed
      exit
    }')
  if [ -z "$entry" ]; then
    echo "no enabled 'Types: deb' entry with Suites containing $HOST_CODENAME in /etc/apt/sources.list.d/*.sources" >&2
    return 1
  fi
  ARCHIVE_URI=${entry%%$'\t'*}
  ARCHIVE_KEYRING=${entry#*$'\t'}
  if [ -n "$ARCHIVE_KEYRING" ] && [ ! -f "$ARCHIVE_KEYRING" ]; then
    echo "the Debian archive entry's Signed-By is not a keyring file (inline keys are not supported): ${ARCHIVE_KEYRING:0:60}" >&2
    return 1
  fi
}

# One-line apt source for SUITE (main) of the machine's archive.
archive_source_line() {
  local suite=$1
  if [ -n "$ARCHIVE_KEYRING" ]; then
    echo "deb [signed-by=$ARCHIVE_KEYRING] $ARCHIVE_URI $suite main"
  else
    echo "deb $ARCHIVE_URI $suite main"
  fi
}

# apt options that read sources from FILE and keep lists and caches in DIR,
# leaving the machine's own sources, lists and package cache untouched.
separate_apt_options() {
  local file=$1 dir=$2
  mkdir -p "$dir/lists/partial" "$dir/cache/archives/partial"
  # shellcheck disable=SC2034 # the result, read by the scripts that source this file
  SEPARATE_APT=(
    -o "Dir::Etc::sourcelist=$file" -o "Dir::Etc::sourceparts=-"
    -o "Dir::State::Lists=$dir/lists" -o "Dir::Cache=$dir/cache"
    -o "APT::Sandbox::User=root"
  )
}
