#!/usr/bin/env bash
# A walk of docs/api-lending.md from top to bottom on a fresh local platform, with the guide's commands as written
# (only `curl` is wrapped, to print each answer's status and keep its body, and ids are taken from the answers
# where the guide says `export LOAN=…`). Several loans are used where the guide's steps exclude each other on one
# loan (a refusal, an amendment, early repayment, a stale offer, a withdrawn offer); the main loan goes from
# reception to write-off. It prints each answer under its step, to be compared with the guide; it stops at nothing.
#
# From the repository root:
#
#   docs/walks/api-lending.walk.sh usury                 # the walk's usury caps (placeholders, see below) in tmp/
#   USURY_CAP_TABLES="$(jq -c . tmp/walk-api-lending/usury.json)" CLOCK_CONTROL=on npm start   # fresh platform
#   docs/walks/api-lending.walk.sh 2>&1 | tee tmp/walk-api-lending.log                # in another terminal
#
# The clock only goes forward (409 CLOCK_BACKWARDS), so the walk runs once per fresh platform, and its dates
# (Dec 2027 to Jun 2028) must be after today. The quarters 2027-Q4 to 2028-Q2 have no Banque de France notice yet:
# the walk's caps are the last shipped notice (2026-Q1: 23.56 %, 15.87 %, 8.67 %) carried forward as placeholders.
set -u
OUT=${WALK_OUT:-tmp/walk-api-lending}
mkdir -p "$OUT"

if [ "${1:-}" = usury ]; then
  for quarter in 2027-10-01:2027-12-31 2028-01-01:2028-03-31 2028-04-01:2028-06-30; do
    npm run -s usury -- add --file "$OUT/usury.json" --from "${quarter%:*}" --until "${quarter#*:}" \
      --upTo3000 23.56 --from3000To6000 15.87 --over6000 8.67 || exit 1
  done
  exit 0
fi

curl() {
  command curl "$@" -D "$OUT/last.head" -o "$OUT/last.body"
  local status replayed
  status=$(head -1 "$OUT/last.head" | awk '{print $2}')
  replayed=$(grep -i '^idempotent-replayed' "$OUT/last.head" | tr -d '\r')
  echo "=> HTTP $status ${replayed}"
  cat "$OUT/last.body"
  echo
}
last() { jq -r "$1" "$OUT/last.body"; }
step() { echo; echo "##### $*"; }
# Waits for an asynchronous answer (the guarantee) by reading the route until jq's test holds (30 s at most).
until_true() {
  local url=$1 token=$2 test=$3 i
  for i in $(seq 1 60); do
    if command curl -s "$url" -H "Authorization: Bearer $token" | jq -e "$test" > /dev/null; then return 0; fi
    sleep 0.5
  done
  echo "(gave up waiting for $test on $url)"
}

step "clock: 2027-12-01"
npm run clock -- 2027-12-01T09:00:00Z --frozen

step "tokens"
export LENDING=http://127.0.0.1:3102
export T=ccas-tarbes
export ANNE=$(npm run -s token -- --role bankAdvisor --tenant $T --user bank-anne --org bank-parcours)
export BRUNO=$(npm run -s token -- --role bankAdvisor --tenant $T --user bank-bruno --org bank-parcours)
export SOPHIE=$(npm run -s token -- --role socialWorker --tenant $T --user sw-sophie)
export DIRECTOR=$(npm run -s token -- --role ccasDirector --tenant $T --user dir-claire)
export FUND=http://127.0.0.1:3103   # the guarantee fund, started by npm start beside lending
auth() { echo "Authorization: Bearer $1"; }
# When another platform holds the usual ports, npm start chose others: take them from what it wrote.
if [ -f .tremplin/services.json ]; then
  LENDING=$(jq -r '.[] | select(.name=="lending") | .url' .tremplin/services.json)
  FUND=$(jq -r '.[] | select(.name=="guarantee-fund") | .url' .tremplin/services.json)
fi
echo "LENDING=$LENDING FUND=$FUND"

step "guarantee: FCS coverage of classic"
curl -s -X POST "$FUND/tenants/$T/coverage/classic/versions" -H "$(auth $DIRECTOR)" -H 'Content-Type: application/json' \
  -d '{"guarantorId":"fcs","guarantorKind":"fcs","managerId":"cdc","shareBps":5000,"effectiveFrom":"2026-01-01","decisionReference":"CONV-FCS-2026"}'

step "1. list (fresh platform)"
curl -s "$LENDING/tenants/$T/loans" -H "$(auth $ANNE)"

step "1. receive app-2027-118"
curl -s -X POST "$LENDING/tenants/$T/loans/applications" -H "$(auth $ANNE)" -H 'Content-Type: application/json' \
  -H 'Idempotency-Key: receive-app-2027-118' \
  -d '{"applicationId":"app-2027-118","product":"classic","purposeCategory":"mobility","requestedAmountCents":182500,"requestedTermMonths":24}'
export LOAN=$(last .loanId)
MAIN=$LOAN

step "1. same key, same body: replayed"
curl -s -X POST "$LENDING/tenants/$T/loans/applications" -H "$(auth $ANNE)" -H 'Content-Type: application/json' \
  -H 'Idempotency-Key: receive-app-2027-118' \
  -d '{"applicationId":"app-2027-118","product":"classic","purposeCategory":"mobility","requestedAmountCents":182500,"requestedTermMonths":24}'
step "1. same key, another body: 422"
curl -s -X POST "$LENDING/tenants/$T/loans/applications" -H "$(auth $ANNE)" -H 'Content-Type: application/json' \
  -H 'Idempotency-Key: receive-app-2027-118' \
  -d '{"applicationId":"app-2027-118","product":"classic","purposeCategory":"mobility","requestedAmountCents":182600,"requestedTermMonths":24}'

step "1. list waitFor"
curl -s "$LENDING/tenants/$T/loans?waitFor=$LOAN@1" -H "$(auth $ANNE)"

step "2. approve"
curl -s -X POST "$LENDING/tenants/$T/loans/$LOAN/approve" -H "$(auth $ANNE)" -H 'Content-Type: application/json' \
  -H 'Idempotency-Key: approve-app-2027-118' \
  -d '{"amountCents":182500,"termMonths":24,"nominalRateBps":300,"feesCents":0}'
step "2. loan after approval (indicativeTaegBps)"
curl -s "$LENDING/tenants/$T/loans/$LOAN" -H "$(auth $ANNE)"
step "2. approve again: 409"
curl -s -X POST "$LENDING/tenants/$T/loans/$LOAN/approve" -H "$(auth $ANNE)" -H 'Content-Type: application/json' \
  -d '{"amountCents":182500,"termMonths":24,"nominalRateBps":300,"feesCents":0}'

step "2. reception above the legal ceiling: 400"
curl -s -X POST "$LENDING/tenants/$T/loans/applications" -H "$(auth $ANNE)" -H 'Content-Type: application/json' \
  -d '{"applicationId":"app-2027-900","product":"classic","purposeCategory":"mobility","requestedAmountCents":900000,"requestedTermMonths":24}'

step "2. another file (app-2027-119): approval outside the product, then refusal"
curl -s -X POST "$LENDING/tenants/$T/loans/applications" -H "$(auth $ANNE)" -H 'Content-Type: application/json' \
  -d '{"applicationId":"app-2027-119","product":"classic","purposeCategory":"mobility","requestedAmountCents":182500,"requestedTermMonths":24}'
export LOAN=$(last .loanId)
curl -s -X POST "$LENDING/tenants/$T/loans/$LOAN/approve" -H "$(auth $ANNE)" -H 'Content-Type: application/json' \
  -d '{"amountCents":550000,"termMonths":24,"nominalRateBps":300,"feesCents":0}'
curl -s -X POST "$LENDING/tenants/$T/loans/$LOAN/refuse" -H "$(auth $ANNE)" -H 'Content-Type: application/json' \
  -d '{"reasonCode":"INSUFFICIENT_REPAYMENT_CAPACITY","reasonCategory":"repaymentCapacity"}'

step "3. offer on the main loan"
export LOAN=$MAIN
curl -s -X POST "$LENDING/tenants/$T/loans/$LOAN/offer" -H "$(auth $ANNE)" -H 'Content-Type: application/json' \
  -H 'Idempotency-Key: offer-app-2027-118' -d '{"firstDueDate":"2028-01-05"}'
curl -s "$LENDING/tenants/$T/loans/$LOAN" -H "$(auth $ANNE)"

step "4. disburse unsigned: 409 (a refusal is kept for its key: replayed after the signature below)"
curl -s -X POST "$LENDING/tenants/$T/loans/$LOAN/disburse" -H "$(auth $ANNE)" -H 'Content-Type: application/json' \
  -H 'Idempotency-Key: disburse-too-soon-app-2027-118' -d '{}'
step "4. sign, notice, guarantee"
curl -s -X POST "$LENDING/tenants/$T/loans/$LOAN/sign" -H "$(auth $ANNE)" -H 'Content-Type: application/json' \
  -d '{"socialWorkerPresent":true,"socialWorkerId":"sw-sophie"}'
curl -s -X POST "$LENDING/tenants/$T/loans/$LOAN/agreement-notices" -H "$(auth $ANNE)" -H 'Content-Type: application/json' \
  -d '{"sellerId":"garage-du-centre","amountCents":150000}'
curl -s "$LENDING/tenants/$T/loans/$LOAN/guarantee" -H "$(auth $ANNE)"
until_true "$LENDING/tenants/$T/loans/$LOAN/guarantee" "$ANNE" '.disbursable == true'
curl -s "$LENDING/tenants/$T/loans/$LOAN/guarantee" -H "$(auth $ANNE)"
step "4. the refused disbursement's key again, once signed: the same 409, replayed"
curl -s -X POST "$LENDING/tenants/$T/loans/$LOAN/disburse" -H "$(auth $ANNE)" -H 'Content-Type: application/json' \
  -H 'Idempotency-Key: disburse-too-soon-app-2027-118' -d '{}'

step "early-repayment loan (app-2027-120), stale-offer loan (app-2027-121), withdrawn-offer loan (app-2027-122): received, approved, offered, signed"
for APP in app-2027-120 app-2027-121 app-2027-122; do
  curl -s -X POST "$LENDING/tenants/$T/loans/applications" -H "$(auth $ANNE)" -H 'Content-Type: application/json' \
    -d "{\"applicationId\":\"$APP\",\"product\":\"classic\",\"purposeCategory\":\"mobility\",\"requestedAmountCents\":182500,\"requestedTermMonths\":24}"
  export LOAN=$(last .loanId)
  eval "LOAN_${APP//-/_}=$LOAN"
  curl -s -X POST "$LENDING/tenants/$T/loans/$LOAN/approve" -H "$(auth $ANNE)" -H 'Content-Type: application/json' \
    -d '{"amountCents":182500,"termMonths":24,"nominalRateBps":300,"feesCents":0}'
done
EARLY=$LOAN_app_2027_120; STALE=$LOAN_app_2027_121; WITHDRAWN=$LOAN_app_2027_122
for LOAN in $EARLY $WITHDRAWN; do
  curl -s -X POST "$LENDING/tenants/$T/loans/$LOAN/offer" -H "$(auth $ANNE)" -H 'Content-Type: application/json' -d '{"firstDueDate":"2028-01-05"}'
done
curl -s -X POST "$LENDING/tenants/$T/loans/$STALE/offer" -H "$(auth $ANNE)" -H 'Content-Type: application/json' -d '{"firstDueDate":"2027-12-15"}'
for LOAN in $EARLY $STALE; do
  curl -s -X POST "$LENDING/tenants/$T/loans/$LOAN/sign" -H "$(auth $ANNE)" -H 'Content-Type: application/json' \
    -d '{"socialWorkerPresent":true,"socialWorkerId":"sw-sophie"}'
done

step "4. a current offer is not replaced (409 OFFER_ALREADY_ISSUED); withdraw it, then amend the approval"
export LOAN=$WITHDRAWN
curl -s -X POST "$LENDING/tenants/$T/loans/$LOAN/offer" -H "$(auth $ANNE)" -H 'Content-Type: application/json' -d '{"firstDueDate":"2028-01-10"}'
curl -s -X POST "$LENDING/tenants/$T/loans/$LOAN/offer-withdrawals" -H "$(auth $ANNE)" -H 'Content-Type: application/json' \
  -d '{"reasonCode":"BORROWER_CHANGED_PLAN"}'
curl -s -X POST "$LENDING/tenants/$T/loans/$LOAN/approval-amendments" -H "$(auth $ANNE)" -H 'Content-Type: application/json' \
  -d '{"amountCents":150000,"termMonths":24,"nominalRateBps":300,"feesCents":0}'
curl -s "$LENDING/tenants/$T/loans/$LOAN/history" -H "$(auth $ANNE)" > /dev/null
jq -c '[.events[] | select(.type == "LoanApproved") | {streamVersion, amends: .data.amends, amountCents: .data.amountCents}]' "$OUT/last.body"

step "clock: 2027-12-03"
npm run clock -- 2027-12-03T09:00:00Z --frozen
step "4. disburse the main loan"
export LOAN=$MAIN
curl -s -X POST "$LENDING/tenants/$T/loans/$LOAN/disburse" -H "$(auth $ANNE)" -H 'Content-Type: application/json' \
  -H 'Idempotency-Key: disburse-app-2027-118' -d '{}'
curl -s "$LENDING/tenants/$T/loans/$LOAN" -H "$(auth $ANNE)"
curl -s "$LENDING/tenants/$T/loans/$LOAN/schedule" -H "$(auth $ANNE)"
step "4. withdraw after disbursement: 409"
curl -s -X POST "$LENDING/tenants/$T/loans/$LOAN/offer-withdrawals" -H "$(auth $ANNE)" -H 'Content-Type: application/json' \
  -d '{"reasonCode":"BORROWER_CHANGED_PLAN"}'
step "4. disburse the early-repayment loan"
until_true "$LENDING/tenants/$T/loans/$EARLY/guarantee" "$ANNE" '.disbursable == true'
curl -s -X POST "$LENDING/tenants/$T/loans/$EARLY/disburse" -H "$(auth $ANNE)" -H 'Content-Type: application/json' -d '{}'
step "1. the list, filtered"
curl -s "$LENDING/tenants/$T/loans?status=repaying&waitFor=$EARLY@5" -H "$(auth $ANNE)"

step "clock: 2027-12-20"
npm run clock -- 2027-12-20T09:00:00Z --frozen
step "5. early repayment: partial then full"
export LOAN=$EARLY
curl -s -X POST "$LENDING/tenants/$T/loans/$LOAN/early-repayments" -H "$(auth $ANNE)" -H 'Content-Type: application/json' \
  -d '{"kind":"partial","repaidOn":"2027-12-20","principalCents":50000,"choice":"reduceInstalment"}'
curl -s -X POST "$LENDING/tenants/$T/loans/$LOAN/early-repayments" -H "$(auth $ANNE)" -H 'Content-Type: application/json' \
  -H 'Idempotency-Key: early-app-2027-118' -d '{"kind":"full","repaidOn":"2027-12-20"}'
step "5. the early repayments' figures"
curl -s "$LENDING/tenants/$T/loans/$LOAN/history" -H "$(auth $ANNE)" > /dev/null
jq -c '.events[] | select(.type == "EarlyRepaymentRecorded" or .type == "LoanRepaid") | {type, data: (.data | del(.lines))}' "$OUT/last.body"
curl -s "$LENDING/tenants/$T/loans/$LOAN/schedule" -H "$(auth $ANNE)" > /dev/null
jq -c '.lines[0:3]' "$OUT/last.body"
step "5. a repaid loan refuses a holiday: 409"
curl -s -X POST "$LENDING/tenants/$T/loans/$LOAN/rescheduling-requests" -H "$(auth $SOPHIE)" -H 'Content-Type: application/json' \
  -d '{"kind":"holiday","months":1}'

step "4. stale offer: disburse 409, new offer, sign again, disburse"
export LOAN=$STALE
until_true "$LENDING/tenants/$T/loans/$LOAN/guarantee" "$ANNE" '.disbursable == true'
curl -s -X POST "$LENDING/tenants/$T/loans/$LOAN/disburse" -H "$(auth $ANNE)" -H 'Content-Type: application/json' -d '{}'
curl -s -X POST "$LENDING/tenants/$T/loans/$LOAN/offer" -H "$(auth $ANNE)" -H 'Content-Type: application/json' -d '{"firstDueDate":"2028-01-20"}'
curl -s -X POST "$LENDING/tenants/$T/loans/$LOAN/offer" -H "$(auth $ANNE)" -H 'Content-Type: application/json' -d '{"firstDueDate":"2028-01-21"}'
curl -s -X POST "$LENDING/tenants/$T/loans/$LOAN/sign" -H "$(auth $ANNE)" -H 'Content-Type: application/json' \
  -d '{"socialWorkerPresent":true,"socialWorkerId":"sw-sophie"}'
until_true "$LENDING/tenants/$T/loans/$LOAN/guarantee" "$ANNE" '.disbursable == true'
curl -s "$LENDING/tenants/$T/loans/$LOAN/guarantee" -H "$(auth $ANNE)"
curl -s -X POST "$LENDING/tenants/$T/loans/$LOAN/disburse" -H "$(auth $ANNE)" -H 'Content-Type: application/json' -d '{}'

step "clock: 2027-12-28"
npm run clock -- 2027-12-28T09:00:00Z --frozen
step "Products: a version in the past is refused, then one from tomorrow"
curl -s -X POST "$LENDING/tenants/$T/products/classic/versions" -H "$(auth $DIRECTOR)" -H 'Content-Type: application/json' \
  -d '{"decisionReference":"CA-2027-12-28-3","effectiveFrom":"2027-12-27T00:00:00Z","terms":{"minAmountCents":30000,"maxAmountCents":250000,
       "exceptionMaxAmountCents":500000,"minTermMonths":6,"maxTermMonths":36,"exceptionMaxTermMonths":48,"maxNominalRateBps":400,
       "guarantorKind":"fcs","guaranteedShareBps":5000,"accompaniment":"offered","holidayInterest":"none"}}'
curl -s -X POST "$LENDING/tenants/$T/products/classic/versions" -H "$(auth $DIRECTOR)" -H 'Content-Type: application/json' \
  -d '{"decisionReference":"CA-2027-12-28-4","effectiveFrom":"2027-12-29T00:00:00Z","terms":{"minAmountCents":30000,"maxAmountCents":250000,
       "exceptionMaxAmountCents":500000,"minTermMonths":6,"maxTermMonths":36,"exceptionMaxTermMonths":48,"maxNominalRateBps":400,
       "guarantorKind":"fcs","guaranteedShareBps":5000,"accompaniment":"offered","holidayInterest":"none"}}'
curl -s "$LENDING/tenants/$T/products" -H "$(auth $ANNE)"

step "clock: 2028-01-05"
npm run clock -- 2028-01-05T09:00:00Z --frozen
step "5. payment on the main loan"
export LOAN=$MAIN
curl -s -X POST "$LENDING/tenants/$T/loans/$LOAN/payments" -H "$(auth $ANNE)" -H 'Content-Type: application/json' \
  -H 'Idempotency-Key: pay-app-2027-118-2028-01' -d '{"amountCents":7874,"paidOn":"2028-01-05"}'
curl -s "$LENDING/tenants/$T/loans/$LOAN/schedule" -H "$(auth $ANNE)"

step "clock: 2028-02-06"
npm run clock -- 2028-02-06T09:00:00Z --frozen
step "6. missed instalment 2, contact"
curl -s -X POST "$LENDING/tenants/$T/loans/$LOAN/missed-instalments" -H "$(auth $ANNE)" -H 'Content-Type: application/json' \
  -d '{"instalmentNumber":2}'
curl -s -X POST "$LENDING/tenants/$T/loans/$LOAN/contacts" -H "$(auth $ANNE)" -H 'Content-Type: application/json' \
  -d '{"channel":"phone","outcome":"promiseToPay"}'

step "clock: 2028-03-06"
npm run clock -- 2028-03-06T09:00:00Z --frozen
step "6. missed instalment 3: warning; declaration too early"
curl -s -X POST "$LENDING/tenants/$T/loans/$LOAN/missed-instalments" -H "$(auth $ANNE)" -H 'Content-Type: application/json' \
  -d '{"instalmentNumber":3}'
curl -s "$LENDING/tenants/$T/loans/$LOAN" -H "$(auth $ANNE)"
curl -s -X POST "$LENDING/tenants/$T/loans/$LOAN/incident-declarations" -H "$(auth $ANNE)" -H 'Content-Type: application/json' -d '{}'

step "clock: 2028-04-05"
npm run clock -- 2028-04-05T09:00:00Z --frozen
step "6. declaration"
curl -s -X POST "$LENDING/tenants/$T/loans/$LOAN/incident-declarations" -H "$(auth $ANNE)" -H 'Content-Type: application/json' -d '{}'

step "7. holiday asked by the social worker, approved by a second advisor"
curl -s -X POST "$LENDING/tenants/$T/loans/$LOAN/rescheduling-requests" -H "$(auth $SOPHIE)" -H 'Content-Type: application/json' \
  -H 'Idempotency-Key: holiday-app-2027-118' -d '{"kind":"holiday","months":1}'
export REQ=$(last .requestId)
curl -s -X POST "$LENDING/tenants/$T/loans/$LOAN/rescheduling-requests/$REQ/approve" -H "$(auth $SOPHIE)" \
  -H 'Content-Type: application/json' -d '{}'
curl -s -X POST "$LENDING/tenants/$T/loans/$LOAN/rescheduling-requests/$REQ/approve" -H "$(auth $BRUNO)" \
  -H 'Content-Type: application/json' -d '{}'
curl -s -X POST "$LENDING/tenants/$T/loans/$LOAN/rescheduling-requests/$REQ/approve" -H "$(auth $BRUNO)" \
  -H 'Content-Type: application/json' -d '{}'
curl -s "$LENDING/tenants/$T/loans/$LOAN/schedule" -H "$(auth $ANNE)"
step "7. a request by Anne: she may not approve nor decline it, Bruno may not withdraw it, she withdraws it"
curl -s -X POST "$LENDING/tenants/$T/loans/$LOAN/rescheduling-requests" -H "$(auth $ANNE)" -H 'Content-Type: application/json' \
  -d '{"kind":"termExtension","additionalMonths":6}'
export REQ=$(last .requestId)
curl -s -X POST "$LENDING/tenants/$T/loans/$LOAN/rescheduling-requests/$REQ/approve" -H "$(auth $ANNE)" \
  -H 'Content-Type: application/json' -d '{}'
curl -s -X POST "$LENDING/tenants/$T/loans/$LOAN/rescheduling-requests/$REQ/decline" -H "$(auth $ANNE)" \
  -H 'Content-Type: application/json' -d '{"reasonCode":"NOT_JUSTIFIED"}'
curl -s -X POST "$LENDING/tenants/$T/loans/$LOAN/rescheduling-requests/$REQ/withdraw" -H "$(auth $BRUNO)" \
  -H 'Content-Type: application/json' -d '{}'
curl -s -X POST "$LENDING/tenants/$T/loans/$LOAN/rescheduling-requests/$REQ/withdraw" -H "$(auth $ANNE)" \
  -H 'Content-Type: application/json' -d '{}'
curl -s -X POST "$LENDING/tenants/$T/loans/$LOAN/rescheduling-requests/$REQ/withdraw" -H "$(auth $ANNE)" \
  -H 'Content-Type: application/json' -d '{}'
step "7. an instalment revision declined by Bruno"
curl -s -X POST "$LENDING/tenants/$T/loans/$LOAN/rescheduling-requests" -H "$(auth $SOPHIE)" -H 'Content-Type: application/json' \
  -d '{"kind":"instalmentRevision","instalmentCents":5000}'
export REQ=$(last .requestId)
curl -s -X POST "$LENDING/tenants/$T/loans/$LOAN/rescheduling-requests/$REQ/decline" -H "$(auth $BRUNO)" \
  -H 'Content-Type: application/json' -d '{"reasonCode":"NOT_JUSTIFIED"}'
curl -s -X POST "$LENDING/tenants/$T/loans/$LOAN/rescheduling-requests/$REQ/approve" -H "$(auth $BRUNO)" \
  -H 'Content-Type: application/json' -d '{}'

step "clock: 2028-06-10"
npm run clock -- 2028-06-10T09:00:00Z --frozen
step "8. default, recovery, write-off"
curl -s -X POST "$LENDING/tenants/$T/loans/$LOAN/default" -H "$(auth $ANNE)" -H 'Content-Type: application/json' -d '{}'
curl -s -X POST "$LENDING/tenants/$T/loans/$LOAN/recoveries" -H "$(auth $ANNE)" -H 'Content-Type: application/json' \
  -d '{"amountCents":20000,"receivedOn":"2028-06-10"}'
curl -s -X POST "$LENDING/tenants/$T/loans/$LOAN/write-off-requests" -H "$(auth $ANNE)" -H 'Content-Type: application/json' \
  -d '{"reasonCode":"UNRECOVERABLE"}'
export WREQ=$(last .requestId)
curl -s -X POST "$LENDING/tenants/$T/loans/$LOAN/write-off-requests/$WREQ/approve" -H "$(auth $BRUNO)" \
  -H 'Content-Type: application/json' -d '{}'
curl -s "$LENDING/tenants/$T/loans/$LOAN" -H "$(auth $ANNE)"

step "9. history and time travel"
curl -s "$LENDING/tenants/$T/loans/$LOAN/history" -H "$(auth $ANNE)"
curl -s "$LENDING/tenants/$T/loans/$LOAN?asOf=2028-01-10" -H "$(auth $ANNE)"
curl -s "$LENDING/tenants/$T/loans/$LOAN/schedule?asOf=2028-02-10T12:00:00Z" -H "$(auth $ANNE)"
curl -s "$LENDING/tenants/$T/loans/$LOAN?asOf=2028-06-11" -H "$(auth $ANNE)"

curl -s "$LENDING/tenants/$T/loans/$LOAN/history?asOf=2028-01-10" -H "$(auth $ANNE)" > /dev/null
jq -c '[.events[] | .type]' "$OUT/last.body"

step "Operating: the loan list rebuilt from the events (platform admin)"
ADMIN=$(npm run -s token -- --role platformAdmin --user ops-admin)
curl -s -X POST "$LENDING/platform/projections/loan-summary/rebuild" -H "$(auth $ADMIN)" -H 'Content-Type: application/json' -d '{}'

step "another bank's advisor: 404 and an empty list"
RITA=$(npm run -s token -- --role bankAdvisor --tenant ccas-tarbes --user bank-rita --org bank-rival)
curl -s "$LENDING/tenants/$T/loans/$LOAN" -H "$(auth $RITA)"
curl -s -X POST "$LENDING/tenants/$T/loans/$LOAN/payments" -H "$(auth $RITA)" -H 'Content-Type: application/json' -d '{"amountCents":100,"paidOn":"2028-06-10"}'
curl -s "$LENDING/tenants/$T/loans" -H "$(auth $RITA)"
step "the list as the CCAS's advisor sees it"
curl -s "$LENDING/tenants/$T/loans" -H "$(auth $ANNE)"
