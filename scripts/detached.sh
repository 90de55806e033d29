# shellcheck shell=bash
# Sourced by start-dockerd.sh and start-docker28.sh, which start a Docker
# engine from inside the suites' processes (the e2e daemon restart, a second
# engine). The engine must outlive them and hold none of their files: their
# process groups are ended as a whole when a stage stops or times out, and a
# test run's lock held open by the engine would block every later run.

# Runs "$@" in the background in a session and process group of its own
# (setsid), stdout and stderr to the file $1, stdin from /dev/null, and none of
# the caller's other open files. DETACHED_PID is its pid: the subshell execs
# setsid, which execs the command, so it is the command's own.
run_detached() {
  local log=$1
  shift
  (
    for fd in /proc/"$BASHPID"/fd/*; do
      fd=${fd##*/}
      [ "$fd" -gt 2 ] && eval "exec $fd>&-" 2>/dev/null
    done
    exec setsid nohup "$@" >"$log" 2>&1 </dev/null
  ) &
  # shellcheck disable=SC2034 # the result, read by the scripts that source this file
  DETACHED_PID=$!
}
