/**
 * The sh function both the backup and the restore script use to read the
 * RDB format number from a file's header (`REDIS0011` is 11, `VALKEY080` is
 * 80): the backup records it, the restore checks it against what the engine
 * reads. One text, so the two never disagree on what a header means.
 */
export const RDB_FORMAT_FUNCTION = String.raw`# The RDB format number in a file's header: REDIS0011 is 11, VALKEY080 is 80.
rdb_format() {
  magic=$(head -c 9 "$1" 2>/dev/null)
  case $magic in
    REDIS[0-9][0-9][0-9][0-9]) echo "$magic" | cut -c 6-9 | sed 's/^0*//' ;;
    VALKEY[0-9][0-9][0-9]) echo "$magic" | cut -c 7-9 | sed 's/^0*//' ;;
    *) return 1 ;;
  esac
}`;
