#!/usr/bin/env bash
# Import a public-format catalog and event file (a slice of the Online Retail data set in ../shared) into a
# tenant of its own, replayed as recent, then evaluate recommenders: offline on the file with a time split
# (`quiver eval recommend`, no server), and through the server's trainers (holdout evaluation, published
# as registry versions). Run from anywhere; needs a running Quiver (QUIVER_URL, default localhost:8080) and
# its operator key (QUIVER_OPERATOR_KEY, else $QUIVER_DATA_DIR/credentials.json).
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
DATASET=${DATASET:-$ROOT/../shared/datasets/online-retail/online-retail.csv}
ROWS=${ROWS:-10000}              # rows imported into the server (about 3 weeks of Dec 2010)
EVAL_ROWS=${EVAL_ROWS:-100000}   # rows for the offline evaluation (Dec 2010 – Feb 2011)
SPLIT=${SPLIT:-2011-02-01}       # offline: train before, test from
TENANT=${TENANT:-retail-eval}
export QUIVER_URL=${QUIVER_URL:-http://localhost:8080}
DATA=${QUIVER_DATA_DIR:-$ROOT/data}
OP=${QUIVER_OPERATOR_KEY:-$(jq -r .operatorKey "$DATA/credentials.json")}
WORK=$(mktemp -d "${TMPDIR:-/tmp}/quiver-import-and-eval.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
quiver() { node "$ROOT/packages/cli/bin/quiver.js" "$@"; }

echo "== slices of $(basename "$DATASET") (never copied into the repository)"
head -n $((ROWS + 1)) "$DATASET" > "$WORK/import.csv"
head -n $((EVAL_ROWS + 1)) "$DATASET" > "$WORK/eval.csv"

echo "== tenant $TENANT and an admin key for it"
quiver tenants create "$TENANT" --name "Online Retail slice" --key "$OP" > /dev/null || true   # exit 4: exists
KEY=$(quiver keys create "$TENANT" --name import-and-eval --scopes admin --key "$OP" --json | jq -r .secret)
export QUIVER_KEY=$KEY

echo "== the catalog: products by a field mapping"
quiver import "$WORK/import.csv" --map id=StockCode,title=Description,price=UnitPrice \
  --currency GBP --state "$WORK/products.state" --restart

echo "== the events, shifted so the last one is now"
quiver import "$WORK/import.csv" --format online-retail --shift-to-now --state "$WORK/events.state" --restart

echo "== offline: train before $SPLIT, test after, on $EVAL_ROWS rows (no server involved)"
quiver eval recommend --events "$WORK/eval.csv" --split "$SPLIT"

echo "== online: the server's trainers on the imported events (holdout evaluation next to popularity)"
for kind in popularity cooccurrence als; do
  quiver trainers run "$kind" --wait --promote always
done
quiver recommend trending --limit 5
