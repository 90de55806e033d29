# shellcheck shell=sh # functions shared by backup.sh and restore.sh: their renderers put them where those files say RDB_FORMAT
# The RDB format number in a file's header: REDIS0011 is 11, VALKEY080 is 80.
rdb_format() {
  magic=$(head -c 9 "$1" 2>/dev/null)
  case $magic in
    REDIS[0-9][0-9][0-9][0-9]) echo "$magic" | cut -c 6-9 | sed 's/^0*//' ;;
    VALKEY[0-9][0-9][0-9]) echo "$magic" | cut -c 7-9 | sed 's/^0*//' ;;
    *) return 1 ;;
  esac
}
