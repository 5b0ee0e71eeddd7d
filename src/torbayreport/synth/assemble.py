"""Run the stages in a fixed order and shape their output into the canonical tables.

Why a separate step: the stages work with child *numbers* and numpy dates, and simulate past the
extract date so open spells are not artificially closed. This module does what an extract from a
case-management system does on the as-at date: it censors (dates after the extract become blank,
events after it disappear, outcomes not yet known become unknown), keeps 12 months of history
plus every spell still open at ``keep_from``, turns numbers into ids (``C000123``, referral ids by
the schema's ``derived_id`` template) and removes the rare duplicate key a random draw can make.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from torbayreport.io.schema import SCHEMA
from torbayreport.synth import care, front_door, journeys, plan, protection, quality, visits, workforce
from torbayreport.synth._common import Ctx
from torbayreport.synth.children import Population, child_ids
from torbayreport.synth.story import Story

WARM_UP_MONTHS = 48
HISTORY_MONTHS = 12


def _months_before(d: np.datetime64, k: int) -> np.datetime64:
    return (d.astype("datetime64[M]") - k).astype("datetime64[D]")


def simulate(*, seed: int, scale: float, first: np.datetime64, extract: np.datetime64, progress=None,
             trajectory: str = "improving") -> dict:
    say = progress or (lambda stage: None)
    rng = np.random.default_rng(seed)
    story = Story(rng, trajectory)
    ctx = Ctx(rng=rng, scale=float(scale), start=first, extract=extract,
              hist_start=_months_before(first, WARM_UP_MONTHS), keep_from=_months_before(first, HISTORY_MONTHS),
              story=story)
    pop = Population(ctx)

    say("children's journeys (contacts, referrals, assessments, S47s, plans, care)")
    eps, cla = journeys.simulate(ctx, pop)
    t = journeys.referral_tables(ctx, eps)
    segs = journeys.spells(eps, cla)
    first_known = np.full(pop.count, np.datetime64("2099-12-31"))
    np.minimum.at(first_known, eps["child"], eps["contact_date"])
    np.minimum.at(first_known, cla["child"], cla["cla_start"])
    other = front_door.other_contacts(ctx, pop, first_known)
    t["contacts"] = pd.concat([t["contacts"], other], ignore_index=True)
    t["early_help"] = front_door.early_help(ctx, other)
    t["homeless_16_17"] = front_door.homeless_16_17(ctx, pop)
    t["cp_reviews"] = _cp_reviews(ctx, eps)

    say("children looked after (placements, reviews, health, missing, care leavers)")
    t["cla_periods"] = pd.DataFrame({k: cla[k] for k in ("child", "cla_start", "cla_end", "legal_status", "reason_ceased")})
    hist = cla["ep"] < 0
    t["cin_episodes"] = pd.concat([t["cin_episodes"], pd.DataFrame({
        "child": cla["child"][hist], "cin_start": cla["cla_start"][hist], "cin_end": cla["cla_end"][hist],
        "primary_need": "N1", "closure_reason": np.where(np.isin(cla["reason_ceased"][hist], ["E11", "E12"]), "RC1",
                                                        np.where(np.isin(cla["reason_ceased"][hist], ["E45", "E46"]), "RC4", "RC7"))})],
        ignore_index=True)
    t["placements"] = care.placements(ctx, pop, cla)
    t["cla_reviews"] = care.cla_reviews(ctx, cla)
    t["health_assessments"] = care.health_assessments(ctx, pop, cla)
    op = segs["open"]
    t["missing"] = pd.concat([
        care.missing_episodes(ctx, pop, cla["child"], cla["cla_start"], cla["cla_end"], 0.24),
        care.missing_episodes(ctx, pop, op["child"].to_numpy(), op["start"].to_numpy().astype("datetime64[D]"),
                              op["end"].to_numpy().astype("datetime64[D]"), 0.035),
    ], ignore_index=True)
    t["care_leavers"] = care.care_leavers(ctx, pop, cla)

    say("statutory visits and management oversight")
    t["visits"] = visits.visits(ctx, pop, segs)
    t["oversight"] = visits.oversight(ctx, segs)

    say("workforce (staff, establishment, allocations, supervision, training)")
    staff, t["establishment"] = workforce.staff(ctx)
    t["allocations"] = workforce.allocations(ctx, staff, segs["hold"])
    t["supervision"] = workforce.supervision(ctx, staff)
    t["training"] = workforce.training(ctx, staff)

    say("quality assurance (audits, actions, complaints, LADO, disputes) and the plan tracker")
    t["audits"], t["audit_actions"] = quality.audits(ctx, segs["open"], staff)
    t["complaints"] = quality.complaints(ctx)
    t["lado"] = quality.lado(ctx)
    t["drps"] = quality.drps(ctx)
    t["plan_actions"] = plan.plan_actions(ctx)

    say("censoring at the extract date and writing ids")
    t = _censor_and_trim(ctx, t, staff)
    staff = t.pop("_staff")
    used = np.unique(np.concatenate([f["child"].to_numpy() for f in t.values() if "child" in f]))
    t["children"] = pop.table(used)
    for name, frame in t.items():
        if "child" in frame:
            ids = child_ids(frame["child"].to_numpy())
            frame = frame.drop(columns="child")
            frame.insert(0, "young_person_id" if name == "homeless_16_17" else "child_id", ids)
            t[name] = frame
    ref = SCHEMA["referrals"].derived_id
    t["referrals"]["referral_id"] = ref.derive(t["referrals"]).to_numpy()
    t["assessments"]["referral_id"] = ref.derive(
        pd.DataFrame({"child_id": t["assessments"]["child_id"], "referral_date": t["assessments"]["referral_date"]})).to_numpy()
    t["staff"] = staff[[c for c in SCHEMA["staff"].column_names]]
    t["staff"] = t["staff"][t["staff"]["worker_id"].isin(_workers_used(ctx, t, staff))]
    return {name: _dedupe(name, t[name]) for name in SCHEMA.table_names}


def _cp_reviews(ctx: Ctx, eps: dict) -> pd.DataFrame:
    r = protection.cp_reviews(ctx, eps)
    i = r["ep"].to_numpy()
    return pd.DataFrame({"child": eps["child"][i], "cp_start": eps["cp_start"][i], "review_date": r["review_date"].to_numpy()})


def _dedupe(name: str, frame: pd.DataFrame) -> pd.DataFrame:
    key = list(SCHEMA[name].key)
    frame = frame.drop_duplicates(subset=key, keep="first")
    return frame.sort_values(key, kind="stable").reset_index(drop=True)


def _workers_used(ctx: Ctx, t: dict, staff: pd.DataFrame) -> np.ndarray:
    end = pd.to_datetime(staff["end_date"])
    recent = staff["worker_id"][end.isna() | (end >= pd.Timestamp(ctx.keep_from) - pd.Timedelta(days=31))]
    refs = [recent, t["allocations"]["worker_id"], t["audits"]["auditor_id"],
            t["supervision"]["worker_id"], t["training"]["worker_id"]]
    return pd.unique(pd.concat([pd.Series(np.asarray(r, dtype=object)) for r in refs], ignore_index=True))


# table: (event column: rows after the extract are dropped,
#         {later column: [columns that become unknown when it is blanked]},
#         history rule: ("event", col) keep col >= keep_from | ("spell", end col) keep open or ended
#         on/after keep_from | None keep all)
RULES = {
    "contacts": ("contact_date", {"decision_date": ["contact_outcome"]}, ("event", "contact_date")),
    "early_help": ("eh_start", {"eh_end": ["eh_outcome"]}, ("spell", "eh_end")),
    "referrals": ("referral_date", {}, ("event", "referral_date")),
    "assessments": ("assessment_start", {"child_seen_date": [], "authorised_date": ["needs_support"]}, ("spell", "authorised_date")),
    "s47": ("strategy_date", {"child_seen_date": [], "completed_date": [], "icpc_date": ["icpc_led_to_plan"], "cp_medical_date": []},
            ("spell", "completed_date")),
    "cin_episodes": ("cin_start", {"cin_end": ["closure_reason"]}, ("spell", "cin_end")),
    "cp_plans": ("cp_start", {"cp_end": []}, None),
    "cp_reviews": ("review_date", {}, None),
    "cla_periods": ("cla_start", {"cla_end": ["reason_ceased"]}, None),
    "placements": ("placement_start", {"placement_end": []}, ("spell", "placement_end")),
    "cla_reviews": ("review_date", {}, ("event", "review_date")),
    "health_assessments": ("assessment_date", {}, ("event", "assessment_date")),
    "visits": ("visit_date", {}, ("event", "visit_date")),
    "missing": ("missing_start", {"returned_at": ["rhi_offered", "rhi_at"], "rhi_at": []}, ("event", "missing_start")),
    "care_leavers": (None, {}, None),
    "allocations": ("alloc_start", {"alloc_end": []}, ("spell", "alloc_end")),
    "establishment": (None, {}, None),
    "supervision": ("supervision_date", {}, ("event", "supervision_date")),
    "oversight": ("oversight_date", {}, ("event", "oversight_date")),
    "audits": (None, {"audit_date": ["grade", "voice_grade", "moderated_grade"]}, None),
    "audit_actions": (None, {"completed_date": []}, None),
    "complaints": ("received_date", {"response_date": []}, ("event", "received_date")),
    "plo": ("plo_start", {"plo_end": ["plo_outcome"]}, ("spell", "plo_end")),
    "training": (None, {"completed_date": []}, ("event", "due_date")),
    "homeless_16_17": ("presented_date", {"assessed_date": []}, ("event", "presented_date")),
    "lado": ("referral_date", {"considered_date": []}, ("event", "referral_date")),
    "drps": ("raised_date", {}, ("event", "raised_date")),
    "plan_actions": (None, {}, None),
}


# Months of history kept before ``start`` per table (default HISTORY_MONTHS): rolling 12-month
# KPIs need a year; flows counted in their own month need none; "latest event" snapshots need
# only the latest event, so recurring casework keeps one month (the 6-week CLA visit window fits). This keeps the sample small.
HISTORY = {"contacts": 0, "early_help": 0, "assessments": 0, "complaints": 3, "lado": 0, "drps": 0,
           "visits": 1, "oversight": 1, "supervision": 1, "cin_episodes": 1,
           "plo": 0}


def _censor_and_trim(ctx: Ctx, t: dict, staff: pd.DataFrame) -> dict:
    extract = pd.Timestamp(ctx.extract)
    day_after = extract + pd.Timedelta(days=1)
    keep_from = pd.Timestamp(ctx.keep_from)
    out = {}
    for name, (event, later, hist) in RULES.items():
        f = t[name].copy()
        if event is not None:
            f = f[pd.to_datetime(f[event]) < day_after]
        for col, deps in later.items():
            future = pd.to_datetime(f[col]) >= day_after
            f[col] = pd.to_datetime(f[col]).mask(future)
            for dep in deps:
                f[dep] = f[dep].astype(object).mask(future, None)
        if hist is not None:
            kind, col = hist
            cut = pd.Timestamp(_months_before(ctx.start, HISTORY.get(name, HISTORY_MONTHS)))
            d = pd.to_datetime(f[col])
            f = f[d >= cut] if kind == "event" else f[d.isna() | (d >= cut)]
        out[name] = f.reset_index(drop=True)
    # S47s whose ICPC is after the extract: the conference is expected, outcome unknown.
    s = out["s47"]
    s["icpc_not_required"] = s["icpc_not_required"].astype(object).mask(s["completed_date"].isna() & s["icpc_date"].isna(), None)
    # Missing: an episode still going at the extract has no return and no RHI yet.
    m = out["missing"]
    m["rhi_offered"] = m["rhi_offered"].astype(object).mask(m["returned_at"].isna(), None)
    # Audits scheduled after the extract month are not in the programme extract yet.
    au = out["audits"]
    au = au[pd.PeriodIndex(au["scheduled_month"], freq="M") <= pd.Period(extract, "M")]
    au = au[pd.PeriodIndex(au["scheduled_month"], freq="M") >= pd.Period(keep_from, "M")]
    out["audits"] = au.reset_index(drop=True)
    aa = out["audit_actions"]
    aa = aa[aa["audit_id"].isin(au.loc[au["audit_date"].notna(), "audit_id"])]
    aa = aa[pd.to_datetime(aa["due_date"]) - pd.Timedelta(days=42) < day_after]
    out["audit_actions"] = aa.reset_index(drop=True)
    tr = out["training"]
    out["training"] = tr[pd.to_datetime(tr["due_date"]) < day_after + pd.Timedelta(days=90)].reset_index(drop=True)
    cl = out["care_leavers"]
    out["care_leavers"] = cl[(cl["month"] >= pd.Timestamp(ctx.start).strftime("%Y-%m")) & (cl["month"] <= extract.strftime("%Y-%m"))]
    # Staff: censored like every other spell.
    st_end = pd.to_datetime(staff["end_date"]).mask(lambda d: d >= day_after)
    staff["end_date"] = st_end
    out["_staff"] = staff[pd.to_datetime(staff["start_date"]) < day_after]
    return out
