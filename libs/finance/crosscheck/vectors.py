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
