"""Independent cross-check of the finance vectors (python3, standard library only).

Written apart from the TypeScript code on purpose: Decimal arithmetic with ROUND_HALF_UP for the
schedules, and a plain bisection on Decimal for the TAEG. Run: python3 libs/finance/crosscheck/vectors.py
"""
from datetime import date
from decimal import Decimal, ROUND_HALF_UP, ROUND_FLOOR, getcontext

getcontext().prec = 60
CENT = Decimal("0.01")


def r2(x):
    return x.quantize(CENT, rounding=ROUND_HALF_UP)


def annuity_schedule(amount_eur, rate_pct, n):
    P = Decimal(amount_eur)
    r = Decimal(rate_pct) / 100 / 12
    pct = Decimal(rate_pct)
    if r == 0:
        base = (P * 100 // n) / 100
        return base, [(base, Decimal(0), base) for _ in range(n - 1)] + [(P - base * (n - 1), Decimal(0), P - base * (n - 1))]
    exact = P * r / (1 - (1 + r) ** -n)
    inst = r2(exact)
    out, lines = P, []
    for k in range(1, n + 1):
        i = r2(out * pct / 1200)
        p = out if k == n else inst - i
        lines.append((p + i, i, p))
        out -= p
    return inst, lines


def show(label, amount, rate, n):
    inst, lines = annuity_schedule(amount, rate, n)
    ti = sum(l[1] for l in lines)
    tr = sum(l[0] for l in lines)
    print(f"{label}: instalment={inst} first={lines[0]} last={lines[-1]} totalInterest={ti} totalRepaid={tr}")
    return lines


def taeg(net_drawdown, payments):
    """payments: list of (years, amount). Solves sum(pay * (1+x)^-t) = net_drawdown by bisection."""
    lo, hi = Decimal("-0.99"), Decimal("10")
    f = lambda x: sum(a * (1 + x) ** (-t) for t, a in payments) - net_drawdown
    for _ in range(200):
        mid = (lo + hi) / 2
        if f(mid) > 0:
            lo = mid
        else:
            hi = mid
    x = (lo + hi) / 2
    return x, (x * 100).quantize(CENT, rounding=ROUND_HALF_UP)


def monthly_taeg(label, amount, rate, n, fees):
    _, lines = annuity_schedule(amount, rate, n)
    pays = [(Decimal(k) / 12, l[0]) for k, l in enumerate(lines, start=1)]
    x, pct = taeg(Decimal(amount) - Decimal(fees), pays)
    print(f"{label}: TAEG={x:.12f} -> {pct}%")


if __name__ == "__main__":
    show("1825/24/3%", "1825", "3", 24)
    show("3000/36/4%", "3000", "4", 36)
    show("5000/48/3.5%", "5000", "3.5", 48)
    show("300/6/0%", "300", "0", 6)
    show("1234.56/84/4.99%", "1234.56", "4.99", 84)
    monthly_taeg("TAEG 3000/36/4% no fees", "3000", "4", 36, "0")
    monthly_taeg("TAEG 3000/36/4% fees 50", "3000", "4", 36, "50")
    monthly_taeg("TAEG 1825/24/3% no fees", "1825", "3", 24, "0")
    monthly_taeg("TAEG 3500/6/4% fees 150", "3500", "4", 6, "150")
    monthly_taeg("TAEG 300/6/0% no fees", "300", "0", 6, "0")
    monthly_taeg("TAEG 300/6/0% fees 10", "300", "0", 6, "10")


def reschedule_vectors():
    """3,000 € / 36 months / 4 %, six instalments paid: the balance after line 6, then each remedy."""
    P, r, pct = Decimal("3000"), Decimal("4") / 100 / 12, Decimal("4")
    inst, lines = annuity_schedule("3000", "4", 36)
    outstanding = P - sum(l[2] for l in lines[:6])
    print(f"after 6 lines: outstanding={outstanding} remaining=30")

    def amortise(o, n):
        a = r2(o * r / (1 - (1 + r) ** -n))
        out, rows = o, []
        for k in range(1, n + 1):
            i = r2(out * pct / 1200)
            p = out if k == n else a - i
            rows.append((p + i, i, p))
            out -= p
        return a, rows

    o = outstanding
    for _ in range(3):
        o += r2(o * pct / 1200)
    a, rows = amortise(o, 30)
    print(f"holiday 3 capitalised: capitalised={o - outstanding} new outstanding={o} instalment={a} last={rows[-1]} interest={sum(x[1] for x in rows)}")
    a, rows = amortise(outstanding, 42)
    print(f"extension to 42: instalment={a} last={rows[-1]} interest={sum(x[1] for x in rows)}")
    new_inst, out, rows = Decimal("60.00"), outstanding, []
    while out > 0:
        i = r2(out * pct / 1200)
        p = min(new_inst - i, out)
        rows.append((p + i, i, p))
        out -= p
    print(f"revision to 60.00: months={len(rows)} first={rows[0]} last={rows[-1]} interest={sum(x[1] for x in rows)}")


def reste_a_vivre(incomes, charges, instalment, adults, children):
    tenths = 10 + 5 * (adults - 1) + 3 * children
    before = Decimal(incomes) - Decimal(charges)
    after = before - Decimal(instalment)
    per = lambda x: (x * 10 / tenths).quantize(CENT, rounding=ROUND_FLOOR)
    print(f"RAV {incomes}-{charges} inst {instalment} CU={tenths / 10}: before={before}/{per(before)} after={after}/{per(after)}")


def days_past_due():
    # oldest unpaid due 2026-03-15, as of 2026-05-20, paused 2026-04-01..2026-04-30 and 2026-04-20..2026-05-05
    oldest, as_of = date(2026, 3, 15), date(2026, 5, 20)
    paused = {date.fromordinal(d) for d in range(date(2026, 4, 1).toordinal(), date(2026, 5, 5).toordinal() + 1)}
    days = [date.fromordinal(d) for d in range(oldest.toordinal() + 1, as_of.toordinal() + 1)]
    print(f"DPD: calendar={len(days)} paused={sum(1 for d in days if d in paused)} dpd={sum(1 for d in days if d not in paused)}")


reschedule_vectors()
reste_a_vivre("1450.00", "980.00", "78.44", 2, 2)
reste_a_vivre("1200.00", "1100.00", "88.57", 1, 3)
days_past_due()


def taeg_with_dates():
    # 3,000 € / 36 / 4 %, 50 € fees, disbursed 10 days before the monthly date: t_k = k/12 + 10/365
    _, lines = annuity_schedule("3000", "4", 36)
    pays = [(Decimal(k) / 12 + Decimal(10) / 365, l[0]) for k, l in enumerate(lines, start=1)]
    x, pct = taeg(Decimal("2950"), pays)
    print(f"TAEG 3000/36/4% fees 50, disbursed 10 days early: {x:.12f} -> {pct}%")


taeg_with_dates()


# --- Broken first period, early repayment, TAEG on actual dates (issue 17) -------------------------------
# Written from the rules in the README, not from the TypeScript: calendar months via the calendar module,
# time = whole months counted back from the later date + leftover days / 365 or 366, interest rounded once.
import calendar


def add_months(d, k):
    idx = d.year * 12 + d.month - 1 + k
    y, m = divmod(idx, 12)
    return date(y, m + 1, min(d.day, calendar.monthrange(y, m + 1)[1]))


def annex_time(start, end):
    """(months, days, year length) from start to end, months counted back from end (annex I)."""
    months = 0
    while add_months(end, -(months + 1)) >= start:
        months += 1
    period_start = add_months(end, -months)
    days = (period_start - start).days
    year = 366 if (period_start - add_months(period_start, -12)).days == 366 else 365
    return months, days, year


def years(start, end):
    m, d, y = annex_time(start, end)
    return Decimal(m) / 12 + Decimal(d) / y


def accrued(balance, pct, start, end):
    return r2(Decimal(balance) * Decimal(pct) / 100 * years(start, end))


def dated_schedule(amount, pct, n, disbursed, first_due):
    """Standard annuity; line 1 keeps the standard principal and charges its actual period's interest."""
    inst, lines = annuity_schedule(amount, pct, n)
    out, rows = Decimal(amount), []
    for k, (_, i, p) in enumerate(lines, start=1):
        due = add_months(first_due, k - 1)
        interest = accrued(out, pct, disbursed, due) if k == 1 else i
        out -= p
        rows.append({"n": k, "due": due, "inst": p + interest, "i": interest, "p": p, "after": out})
    return inst, rows


def taeg_dated(amount, rows, disbursed):
    return taeg(Decimal(amount), [(years(disbursed, r["due"]), r["inst"]) for r in rows])


def taeg_months(amount, rows):
    return taeg(Decimal(amount), [(Decimal(r["n"]) / 12, r["inst"]) for r in rows])


def full_early(rows, pct, disbursed, paid, on):
    due = [r for r in rows if r["due"] <= on]
    outstanding = due[-1]["after"] if due else rows[0]["p"] + rows[0]["after"]
    start = due[-1]["due"] if due else disbursed
    interest = accrued(outstanding, pct, start, on)
    due_total = sum((r["inst"] for r in due), Decimal(0))
    not_owed = sum((r["i"] for r in rows if r["due"] > on), Decimal(0)) - interest
    return {"days": annex_time(start, on), "outstanding": outstanding, "interest": interest,
            "total": max(due_total - paid, 0) - max(paid - due_total, 0) + outstanding + interest, "notOwed": not_owed}


def partial_early(rows, pct, on, principal, choice, disbursed=None):
    remaining = [r for r in rows if r["due"] > on]
    start = disbursed if remaining[0]["n"] == 1 else add_months(remaining[0]["due"], -1)
    balance = remaining[0]["p"] + remaining[0]["after"] - principal
    interest = accrued(principal, pct, start, on)
    r = Decimal(pct) / 1200
    new = []
    if choice == "reduceInstalment":
        n = len(remaining)
        inst = r2(balance * r / (1 - (1 + r) ** -n))
        out = balance
        for k in range(n):
            i = r2(out * Decimal(pct) / 1200)
            p = out if k == n - 1 else inst - i
            out -= p
            new.append((p + i, i, p))
    else:
        inst = remaining[0]["inst"]
        out = balance
        while out > 0:
            i = r2(out * Decimal(pct) / 1200)
            p = min(inst - i, out)
            out -= p
            new.append((p + i, i, p))
    saved = sum(x["i"] for x in remaining) - sum(x[1] for x in new) - interest
    return {"interest": interest, "due": principal + interest, "inst": inst, "months": len(new),
            "first": new[0], "last": new[-1], "interestTotal": sum(x[1] for x in new), "saved": saved}


def indemnity_cap(repaid, previous, on, end, interest_until_end):
    if repaid + previous <= Decimal("10000"):
        return Decimal(0)
    pct = Decimal("0.01") if end > add_months(on, 12) else Decimal("0.005")
    return min((repaid * pct).quantize(CENT, rounding=ROUND_FLOOR), interest_until_end)


def issue_17_vectors():
    d = date(2026, 1, 15)
    _, rows = dated_schedule("1000", "4", 12, d, date(2026, 2, 15))
    print(f"1000/12/4% from 2026-01-15: line1={rows[0]['inst']}/{rows[0]['i']}/{rows[0]['p']} totalInterest={sum(x['i'] for x in rows)}")
    print(f"  repaid on disbursement day: {full_early(rows, '4', d, Decimal(0), d)}")
    print(f"  repaid 2026-03-01 after line 1 paid: {full_early(rows, '4', d, rows[0]['inst'], date(2026, 3, 1))}")
    print(f"  repaid 2026-03-01 with line 1 unpaid: {full_early(rows, '4', d, Decimal(0), date(2026, 3, 1))}")
    print(f"  repaid on the 2nd due date 2026-03-15, line 1 paid: {full_early(rows, '4', d, rows[0]['inst'], date(2026, 3, 15))}")
    for disbursed, first_due in ((date(2026, 2, 8), date(2026, 2, 15)), (date(2026, 1, 15), date(2026, 4, 15)), (date(2026, 1, 15), date(2026, 2, 15))):
        _, new = dated_schedule("3000", "4", 36, disbursed, first_due)
        _, old = dated_schedule("3000", "4", 36, add_months(first_due, -1), first_due)
        print(f"3000/36/4% disbursed {disbursed} first due {first_due} ({annex_time(disbursed, first_due)}): line1={new[0]['inst']}/{new[0]['i']}/{new[0]['p']} "
              f"totalInterest={sum(x['i'] for x in new)} | TAEG actual dates={taeg_dated('3000', new, disbursed)[1]} standard months={taeg_months('3000', new)[1]} "
              f"| one-month-interest schedule on actual dates={taeg_dated('3000', old, disbursed)[1]} ({taeg_dated('3000', old, disbursed)[0]:.9f})")
    _, rows = dated_schedule("3000", "4", 36, d, date(2026, 2, 15))
    for choice in ("reduceTerm", "reduceInstalment"):
        print(f"partial 500 on 2026-08-01, 6 lines paid, {choice}: {partial_early(rows, '4', date(2026, 8, 1), Decimal('500'), choice)}")
    print(f"partial 500 on 2026-01-22, nothing due yet: {partial_early(rows, '4', date(2026, 1, 22), Decimal('500'), 'reduceInstalment', d)}")
    _, big = dated_schedule("12000", "4", 36, d, date(2026, 2, 15))
    q = full_early(big, "4", d, sum(x["inst"] for x in big[:6]), date(2026, 8, 1))
    print(f"12000/36/4% repaid 2026-08-01 after 6 lines: {q} indemnity cap={indemnity_cap(q['outstanding'], Decimal(0), date(2026, 8, 1), big[-1]['due'], q['notOwed'])}")
    q = full_early(big, "4", d, sum(x["inst"] for x in big[:30]), date(2028, 8, 1))
    print(f"12000/36/4% repaid 2028-08-01 after 30 lines: {q} indemnity cap={indemnity_cap(q['outstanding'], Decimal('9000'), date(2028, 8, 1), big[-1]['due'], q['notOwed'])}")



def check_issue_17_against_spec():
    """The figures the TypeScript specs assert (accrual, schedule, taeg, early-repayment), asserted here too,
    so that running this script fails as soon as the two implementations disagree."""
    D = Decimal
    d = date(2026, 1, 15)
    _, rows = dated_schedule("1000", "4", 12, d, date(2026, 2, 15))
    assert full_early(rows, "4", d, D(0), d)["total"] == D("1000.00")
    q = full_early(rows, "4", d, rows[0]["inst"], date(2026, 3, 1))
    assert (q["days"], q["interest"], q["total"], q["notOwed"]) == ((0, 14, 365), D("1.41"), D("919.59"), D("17.06")), q
    assert full_early(rows, "4", d, D(0), date(2026, 3, 1))["total"] == D("1004.74")
    assert full_early(rows, "4", d, rows[0]["inst"], date(2026, 3, 15))["total"] == D("921.24")
    assert full_early(rows, "4", d, D("170.30"), date(2026, 3, 1))["total"] == D("834.44")
    _, seven = dated_schedule("3000", "4", 36, date(2026, 2, 8), date(2026, 2, 15))
    _, three = dated_schedule("3000", "4", 36, d, date(2026, 4, 15))
    _, month7 = dated_schedule("3000", "4", 36, date(2026, 1, 15), date(2026, 2, 15))
    _, month3 = dated_schedule("3000", "4", 36, date(2026, 3, 15), date(2026, 4, 15))
    assert (seven[0]["inst"], seven[0]["i"], sum(x["i"] for x in seven)) == (D("80.87"), D("2.30"), D("180.89"))
    assert (three[0]["inst"], three[0]["i"], sum(x["i"] for x in three)) == (D("108.57"), D("30.00"), D("208.59"))
    assert taeg_dated("3000", seven, date(2026, 2, 8))[1] == D("4.07") and taeg_months("3000", seven)[1] == D("3.90")
    assert taeg_dated("3000", month7, date(2026, 2, 8))[1] == D("4.26")
    assert taeg_dated("3000", three, d)[1] == D("4.07") and taeg_months("3000", three)[1] == D("4.53")
    assert taeg_dated("3000", month3, d)[1] == D("3.66")
    _, rows = dated_schedule("3000", "4", 36, d, date(2026, 2, 15))
    t = partial_early(rows, "4", date(2026, 8, 1), D("500"), "reduceTerm")
    assert (t["due"], t["months"], t["last"], t["interestTotal"], t["saved"]) == (D("500.93"), 24, (D("72.37"), D("0.24"), D("72.13")), D("84.84"), D("46.76")), t
    i = partial_early(rows, "4", date(2026, 8, 1), D("500"), "reduceInstalment")
    assert (i["inst"], i["months"], i["first"], i["interestTotal"], i["saved"]) == (D("71.03"), 30, (D("71.03"), D("6.75"), D("64.28")), D("106.27"), D("25.33")), i
    f = partial_early(rows, "4", date(2026, 1, 22), D("500"), "reduceInstalment", d)
    assert (f["due"], f["inst"], f["first"][1], f["interestTotal"], f["saved"]) == (D("500.38"), D("73.81"), D("8.33"), D("157.18"), D("31.03")), f
    _, big = dated_schedule("12000", "4", 36, d, date(2026, 2, 15))
    q = full_early(big, "4", d, sum(x["inst"] for x in big[:6]), date(2026, 8, 1))
    assert (q["total"], q["notOwed"], indemnity_cap(q["outstanding"], D(0), date(2026, 8, 1), big[-1]["due"], q["notOwed"])) == (D("10117.29"), D("511.34"), D("100.98"))
    q = full_early(big, "4", d, sum(x["inst"] for x in big[:30]), date(2028, 8, 1))
    assert (q["days"], q["total"], indemnity_cap(q["outstanding"], D("9000"), date(2028, 8, 1), big[-1]["due"], q["notOwed"])) == ((0, 17, 366), D("2104.99"), D("10.50"))
    # Rescheduling before a 7-day first period falls due: line 1 keeps its 7 days of interest (2.30 €).
    seven_days = accrued(D("3000"), "4", date(2026, 2, 8), date(2026, 2, 15))
    r = D(4) / 1200
    def level(o, n, first_interest=None):
        a = r2(o * r / (1 - (1 + r) ** -n))
        out, rows = o, []
        for k in range(n):
            i = r2(out * 4 / D(1200))
            p = out if k == n - 1 else a - i
            rows.append((p + (first_interest if k == 0 and first_interest is not None else i), first_interest if k == 0 and first_interest is not None else i, p))
            out -= p
        return a, rows
    a, rows = level(D("3000"), 48, seven_days)
    assert (a, rows[0], rows[-1], sum(x[1] for x in rows)) == (D("67.74"), (D("60.04"), D("2.30"), D("57.74")), (D("67.61"), D("0.22"), D("67.39")), D("243.69")), (a, rows[0], rows[-1])
    out, rows = D("3000"), []
    while out > 0:
        i = r2(out * 4 / D(1200))
        p = min(D("80.00") - i, out)
        interest = seven_days if not rows else i
        rows.append((p + interest, interest, p))
        out -= p
    assert (len(rows), rows[0], rows[-1], sum(x[1] for x in rows)) == (41, (D("72.30"), D("2.30"), D("70.00")), (D("10.08"), D("0.03"), D("10.05")), D("202.38")), (len(rows), rows[0], rows[-1])
    o = D("3000") + seven_days
    o += r2(o * 4 / D(1200))
    a, rows = level(o, 36)
    assert (o, a, rows[0], rows[-1], sum(x[1] for x in rows)) == (D("3012.31"), D("88.94"), (D("88.94"), D("10.04"), D("78.90")), (D("88.77"), D("0.29"), D("88.48")), D("189.36"))
    # Full early repayment around a 2-month holiday of the 1,000 € loan (lines 1-2 paid, 836.09 € left).
    left = D("836.09")
    assert accrued(left, "4", date(2026, 5, 15), date(2026, 6, 1)) == D("1.56")
    capitalised = left + r2(left * 4 / D(1200))
    capitalised += r2(capitalised * 4 / D(1200))
    assert capitalised == D("841.68")
    assert annex_time(date(2026, 3, 15), date(2026, 5, 1)) == (1, 17, 365) and accrued(left, "4", date(2026, 3, 15), date(2026, 5, 1)) == D("4.34")
    assert capitalised + accrued(capitalised, "4", date(2026, 5, 15), date(2026, 6, 1)) == D("843.25")
    print("issue 17 vectors: Python agrees with every figure the TypeScript specs assert")


issue_17_vectors()
check_issue_17_against_spec()
