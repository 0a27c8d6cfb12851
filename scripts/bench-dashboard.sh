#!/usr/bin/env bash
# Benchmark of the merchant's dashboard: seeds the local D1 ledger of a
# fresh stack (fake Qonto + the edge under `wrangler dev`) with 100,000
# checkouts spread over the last year (`wrangler d1 execute --local`), then
# times the dashboard, the VAT report and a lost-checkout list, and prints
# the figures. Not part of scripts/test.sh: `bash scripts/bench-dashboard.sh`
# (BENCH_CHECKOUTS=N to change the size, BENCH_RUNS=N the timed requests).
set -euo pipefail
. "$(dirname "$0")/env.sh"
cd "$QC_ROOT"
N="${BENCH_CHECKOUTS:-100000}"
RUNS="${BENCH_RUNS:-5}"

if [ -z "${QC_EDGE_URL:-}" ]; then
  sh scripts/build-edge.sh
  cargo build --quiet -p qc-stack --bin qc-stack
  exec target/debug/qc-stack run --no-connect -- bash "$0"
fi

state="$(dirname "$QC_EDGE_LOG")"
d1() { wrangler d1 execute qonto-checkout --local --persist-to "$state" "$@"; }

# Baskets of 1-20 T-shirts and 1-50 mugs (1,000 different baskets, a 20 %
# line each and a shipping line), of coffee (5.5 %) or of a workshop (10 %);
# every 50th an invoice; six in ten paid, then open, expired, failed and
# canceled ones.
amt() { echo "json_object('value', printf('%d.%02d', ($1) / 100, ($1) % 100), 'currency', 'EUR')"; }
line() { # sku title quantity-expr unit-cents rate-text vat-per-unit-cents
  echo "json_object('sku', '$1', 'title', '$2', 'quantity', $3, 'unit_price', $(amt "$4"), 'vat_rate', '$5', \
    'net', $(amt "($3) * $4"), 'vat', $(amt "($3) * $6"), 'gross', $(amt "($3) * ($4 + $6)"))"
}
q1="(1 + i % 20)"; q2="(1 + (i / 20) % 50)"
basket_a="json_array($(line tshirt-m 'Organic cotton T-shirt (M)' "$q1" 2500 20.0 500), $(line mug 'Enamel camping mug' "$q2" 1250 20.0 250), \
  $(line shipping 'Shipping (France)' 1 490 20.0 98))"
line_b='[{"sku":"coffee-250","title":"Single-origin coffee beans, 250 g","quantity":3,"unit_price":{"value":"10.99","currency":"EUR"},"vat_rate":"5.5","net":{"value":"32.97","currency":"EUR"},"vat":{"value":"1.81","currency":"EUR"},"gross":{"value":"34.78","currency":"EUR"}}]'
line_c='[{"sku":"workshop","title":"Latte-art workshop, 2 hours","quantity":1,"unit_price":{"value":"45.00","currency":"EUR"},"vat_rate":"10.0","net":{"value":"45.00","currency":"EUR"},"vat":{"value":"4.50","currency":"EUR"},"gross":{"value":"49.50","currency":"EUR"}}]'
step=$(( 365 * 86400 / N ))
seed_sql="INSERT INTO checkouts (id, kind, request_hash, status, last_payment_status, currency, net_minor, vat_minor,
  expected_gross_minor, qonto_amount_minor, lines_json, order_json, created_at, updated_at, paid_at)
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < $N),
t(i, kind, status, last, net, vat, lines, created) AS (
  SELECT i,
    CASE WHEN i % 50 = 0 THEN 'invoice' ELSE 'basket' END,
    CASE i % 10 WHEN 6 THEN 'open' WHEN 7 THEN 'expired' WHEN 8 THEN 'open' WHEN 9 THEN 'canceled' ELSE 'paid' END,
    CASE i % 10 WHEN 8 THEN 'failed' WHEN 6 THEN NULL WHEN 7 THEN NULL WHEN 9 THEN NULL ELSE 'paid' END,
    CASE WHEN i % 50 = 0 THEN 10000 ELSE CASE i % 3 WHEN 0 THEN $q1 * 2500 + $q2 * 1250 + 490 WHEN 1 THEN 3297 ELSE 4500 END END,
    CASE WHEN i % 50 = 0 THEN 2000 ELSE CASE i % 3 WHEN 0 THEN $q1 * 500 + $q2 * 250 + 98 WHEN 1 THEN 181 ELSE 450 END END,
    CASE WHEN i % 50 = 0 THEN '[]' ELSE CASE i % 3 WHEN 0 THEN $basket_a WHEN 1 THEN '$line_b' ELSE '$line_c' END END,
    CAST(strftime('%s', 'now') AS INTEGER) - 365 * 86400 + i * $step
  FROM n)
SELECT 'ck_b' || printf('%023x', i), kind, 'bench', status, last, 'EUR', net, vat, net + vat, net + vat, lines,
  CASE WHEN kind = 'invoice' THEN json_object('invoice_number', 'B-' || i, 'debitor_name', 'Bench client') ELSE '{}' END,
  strftime('%Y-%m-%dT%H:%M:%fZ', created, 'unixepoch'), strftime('%Y-%m-%dT%H:%M:%fZ', created, 'unixepoch'),
  CASE WHEN status = 'paid' THEN strftime('%Y-%m-%dT%H:%M:%fZ', created + 90, 'unixepoch') END
FROM t"
echo "bench: seeding $N checkouts over the last 365 days..."
t0=$(date +%s.%N)
d1 --command "$seed_sql" > /dev/null
d1 --command "ANALYZE" > /dev/null
t1=$(date +%s.%N)
count=$(d1 --json --command "SELECT count(*) AS n FROM checkouts" | node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>console.log(JSON.parse(s)[0].results[0].n))')
printf 'bench: %s checkouts in the ledger (seeded in %s s)\n' "$count" "$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f", b - a }')"

time_ms() {
  curl -s -o /dev/null -w '%{http_code} %{time_total}\n' -H "authorization: Bearer $QC_ADMIN_TOKEN" "$QC_EDGE_URL$1"
}
bench() {
  local path="$1" code t best=999999 worst=0 sum=0
  time_ms "$path" > /dev/null   # warm-up (compiles the statements)
  for _ in $(seq "$RUNS"); do
    read -r code t < <(time_ms "$path")
    [ "$code" = 200 ] || { echo "bench: $path answered $code" >&2; exit 1; }
    ms=$(awk -v t="$t" 'BEGIN { printf "%d", t * 1000 }')
    sum=$((sum + ms)); [ "$ms" -lt "$best" ] && best=$ms; [ "$ms" -gt "$worst" ] && worst=$ms
  done
  printf '  %-58s avg %4d ms  (best %d, worst %d, %d runs)\n' "$path" $((sum / RUNS)) "$best" "$worst" "$RUNS"
}
echo "bench: timed requests under wrangler dev (target: dashboard < 300 ms)"
bench "/admin/dashboard?period=30d"
bench "/admin/dashboard?period=month"
bench "/admin/dashboard?period=7d"
bench "/admin/dashboard?period=custom&from=$(date -u -d '-364 days' +%F)&to=$(date -u +%F)"
bench "/admin/vat-report?period=30d"
bench "/admin/vat-report.csv?period=30d"
bench "/admin/lost-checkouts?reason=abandoned"
bench "/admin/lost-checkouts?reason=review"
