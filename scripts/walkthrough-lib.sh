# Helpers shared by the executed guides (scripts/guide-walkthrough, scripts/data-protection-walkthrough):
# source it after setting WALKTHROUGH (the prefix of every message, e.g. "guide").
# Needs bash, curl and jq. Reads KENPO_API, KENPO_BIN, ADMIN_USER, DPO_USER, GUIDE_OUT (see the
# scripts' headers) and sets ROOT, API, KENPO_BIN, ADMIN_USER, DPO_USER, OUT.

die() {
    printf '%s: FAILED: %s\n' "$WALKTHROUGH" "$*" >&2
    exit 1
}

for tool in curl jq; do
    command -v "$tool" >/dev/null 2>&1 ||
        die "$tool is not installed; this script needs curl and jq (Debian/Ubuntu: apt-get install curl jq)"
done

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
API="${KENPO_API:-http://127.0.0.1:8080/api/v1}"
API="${API%/}"
if [[ -z "${KENPO_BIN:-}" ]]; then
    if command -v kenpo >/dev/null 2>&1; then KENPO_BIN=kenpo
    elif [[ -x "$ROOT/target/release/kenpo" ]]; then KENPO_BIN="$ROOT/target/release/kenpo"
    elif [[ -x "$ROOT/target/debug/kenpo" ]]; then KENPO_BIN="$ROOT/target/debug/kenpo"
    fi
fi
ADMIN_USER="${ADMIN_USER:-admin1}"
DPO_USER="${DPO_USER:-dpo1}"
OUT="${GUIDE_OUT:-$(mktemp -d "${TMPDIR:-/tmp}/kenpo-$WALKTHROUGH.XXXXXX")}"
mkdir -p "$OUT"

# req EXPECTED_STATUS METHOD PATH TOKEN [curl args...]: one curl call; the answer goes to
# $OUT/last.json; any other status than EXPECTED stops the script with the answer.
req() {
    local expected=$1 method=$2 path=$3 token=$4 status
    shift 4
    status=$(curl -sS -o "$OUT/last.json" -w '%{http_code}' -X "$method" "$API$path" \
        -H "Authorization: Bearer $token" "$@") ||
        die "$method $path: curl failed (is kenpo serving at $API?)"
    [[ "$status" != 401 || "$expected" == 401 ]] ||
        die "$method $path answered 401: $(head -c 500 "$OUT/last.json") — is the account bootstrapped, and does kenpo token use the server's secret (same KENPO_HOME / KENPO_JWT_SECRET)?"
    [[ "$status" == "$expected" ]] ||
        die "$method $path answered HTTP $status, the guide expects $expected: $(head -c 1500 "$OUT/last.json")"
}
# post EXPECTED PATH TOKEN JSON: a command with a JSON body.
post() { req "$1" POST "$2" "$3" -H 'Content-Type: application/json' -d "$4"; }
# get PATH TOKEN: a query, 200 expected.
get() { req 200 GET "$1" "$2"; }
# val FILTER: one value of the last answer.
val() { jq -r "$1" "$OUT/last.json"; }
# show FILTER: print part of the last answer, compact.
show() { jq -c "$1" "$OUT/last.json" | sed 's/^/    /'; }
# check WHAT ACTUAL EXPECTED
check() {
    [[ "$2" == "$3" ]] || die "$1 is $2; the guide says $3"
    printf '    ok  %s = %s\n' "$1" "$3"
}
step() { printf '\n== %s\n' "$*"; }
mint() {
    [[ -n "${KENPO_BIN:-}" ]] || die "no kenpo binary: set KENPO_BIN (or put kenpo on PATH) to mint tokens"
    RUST_LOG=error "$KENPO_BIN" token --user "$1" --role "$2" --ttl 1h ||
        die "kenpo token --user $1 --role $2 failed"
}
# create_account STAFF_ID DEPARTMENT ROLE [MY_NUMBER_PERMISSION]: proposed by $ADMIN, approved
# by $DPO (four eyes), active from today in Japan.
create_account() {
    local today change_id
    today="$(TZ=Asia/Tokyo date +%F)"
    post 201 /accounts/changes "$ADMIN" '{"staff_id": "'"$1"'", "change": {"kind": "create",
        "department": "'"$2"'", "roles": ["'"$3"'"], "my_number_permission": '"${4:-false}"',
        "valid_from": "'"$today"'"}}'
    change_id=$(val .change_id)
    check "$1: proposed, status before approval" "$(val .account.status)" "proposed"
    post 200 "/accounts/changes/$change_id/approval" "$DPO" '{}'
    check "$1: events of the approval" "$(jq -c .events "$OUT/last.json")" '["ChangeApproved","AccountCreated"]'
    check "$1: status" "$(val .account.status)" "active"
}
