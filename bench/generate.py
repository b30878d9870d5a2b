"""Writes N realistic synthetic 4P plans (plan format 1) to a folder, for the benchmark.

    python bench/generate.py 1000 /tmp/plans --seed 6 --fail-share 0.1 --copy-share 0.05

Plans vary in size (10 to 200 actions, log entries and reviews each, most of them small, as real plans
are), are set at an as-of date (default 2024-09-30) and pass every rule of the default pack unless a
failing is put in on purpose: one failing per rule (see `failings`) goes into each plan with probability
`--fail-share`, and a share `--copy-share` of plans carries a long passage copied from an earlier plan
(the Sussex finding the portfolio's copied-text rule looks for). What each plan was given is written to
the hidden `.manifest.json` beside the plans (hidden, so an audit does not read it as a plan).

Plan i depends only on the seed and i, so the first 1,000 of 10,000 plans are the 1,000 plans.
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import re
import sys
from typing import Any, Dict, List, Optional, Sequence, Tuple


def failings() -> Tuple[str, ...]:
    """Each failing the generator can put into a plan: one per single-plan rule of the default pack, named
    by the rule it breaks (tests/test_bench.py fails if a new rule is not taught here)."""
    global _FAILINGS
    if _FAILINGS is None:
        from fourp import load_pack

        _FAILINGS = tuple(r.id for r in load_pack().plan_rules if r.id != "plan-structure")
    return _FAILINGS


_FAILINGS: Optional[Tuple[str, ...]] = None
#: Not a single-plan rule: the portfolio's copied-text rule finds it.
COPIED = "copied-text"

FORCES = (
    ("Hampshire and Isle of Wight Constabulary", "HIOW"), ("Surrey Police", "SUR"), ("Sussex Police", "SXP"),
    ("Thames Valley Police", "TVP"), ("SEROCU", "SEROCU"), ("Kent Police", "KEN"), ("Essex Police", "ESX"),
    ("West Midlands Police", "WMP"), ("Greater Manchester Police", "GMP"), ("Merseyside Police", "MER"),
    ("West Yorkshire Police", "WYP"), ("Avon and Somerset Police", "ASP"), ("Devon and Cornwall Police", "DCP"),
    ("Lancashire Constabulary", "LAN"), ("Northumbria Police", "NOR"), ("South Wales Police", "SWP"),
)
PLACES = (
    "Crawley", "Horsham", "Worthing", "Brighton", "Hastings", "Eastbourne", "Guildford", "Woking", "Reading",
    "Slough", "Oxford", "Banbury", "Milton Keynes", "Aylesbury", "Portsmouth", "Southampton", "Basingstoke",
    "Winchester", "Newport", "Ryde", "Maidstone", "Medway", "Dover", "Chelmsford", "Basildon", "Colchester",
    "Coventry", "Walsall", "Wolverhampton", "Salford", "Bolton", "Wigan", "Bootle", "Kirkby", "Bradford",
    "Huddersfield", "Wakefield", "Bristol", "Bath", "Taunton", "Plymouth", "Exeter", "Preston", "Blackburn",
    "Gateshead", "Sunderland", "Cardiff", "Swansea", "Bridgend", "Luton",
)
STREETS = (
    "Harbour Lane", "Whitmore Way", "Lyndhurst Row", "Ferry Road", "Castle Street", "Mill Lane", "Station Road",
    "Albion Street", "Tanners Yard", "Kings Walk", "Beacon Hill", "Marsh Lane", "Orchard Way", "Quarry Road",
    "Riverside", "Victoria Park", "Chapel Row", "Northgate", "Southfields", "Westbrook", "Eastside", "Parkway",
    "Highfield", "Brookside", "Foundry Lane", "Granary Court", "Willow Bank", "Copper Beech", "Saxon Way",
    "Abbey Fields",
)
BIRDS = (
    "Gannet", "Tern", "Plover", "Kestrel", "Heron", "Curlew", "Dunlin", "Merlin", "Osprey", "Shrike", "Siskin",
    "Wigeon", "Avocet", "Bittern", "Godwit", "Lapwing", "Redshank", "Skylark", "Stonechat", "Whimbrel",
    "Fulmar", "Petrel", "Puffin", "Razorbill", "Shearwater", "Sanderling", "Turnstone", "Wheatear", "Linnet",
    "Bunting",
)
FIRST = (
    "Tom", "Helen", "Amira", "Daniel", "Priya", "Martin", "Lee", "Karen", "Nadia", "Gareth", "Ryan", "Sian",
    "Lucy", "Mark", "Claire", "Jo", "Sam", "Kieran", "Andrea", "Carl", "Fiona", "Omar", "Rachel", "Steve",
    "Bethan", "Imran", "Grace", "Dominic", "Hannah", "Wei", "Aisha", "Rhys", "Megan", "Callum", "Zoe", "Tariq",
)
LAST = (
    "Reade", "Okafor", "Khan", "Price", "Nair", "Hale", "Ford", "Doyle", "Shah", "Lewis", "Collins", "Morgan",
    "Green", "Ellison", "Marsh", "Patel", "Walsh", "Fenwick", "Bennett", "Hughes", "Adeyemi", "Kowalski",
    "Murray", "Brennan", "Evans", "Hussain", "Campbell", "Fraser", "Osei", "Taylor", "Clarke", "Lambert",
)
RANKS = (("Supt", "Superintendent"), ("Ch Insp", "Chief Inspector"), ("DCI", "Detective Chief Inspector"),
         ("Det Supt", "Detective Superintendent"))
PARTNERS = (
    ("local-authority", "Youth Justice Service"), ("local-authority", "Community Safety Partnership"),
    ("housing", "Housing Enforcement"), ("probation", "Probation Service"), ("hmrc", "HMRC Fraud Investigation"),
    ("education", "Schools Safeguarding Lead"), ("health", "Drug and Alcohol Service"),
    ("dvla", "DVLA Enforcement"), ("immigration-enforcement", "Immigration Enforcement"),
)
CATEGORIES = ("drugs", "firearms", "modern-slavery", "fraud", "money-laundering",
              "organised-acquisitive-crime", "organised-immigration-crime", "cyber")
PLACEHOLDERS = ("Ongoing", "TBC", "No update", "See above", "In progress")

# Stock wording is kept to nine words or fewer: every entry goes on with its own detail (see _detail), as
# officers' entries do, so two plans share a long run of words only where one was copied from the other.
_ACTIONS = {
    "pursue": (
        "Financial investigation of the {business} accounts in {place}",
        "Execute drugs warrants under {op} and arrest the principals",
        "Covert surveillance of the line holders and couriers",
        "Cell site analysis of the line phones used in {place}",
        "Seize and forfeit the vehicles used to move cash",
        "Target the replacement line holder in {place}",
    ),
    "prevent": (
        "Refer the teenage runners to youth diversion",
        "Deliver county lines input to year nine pupils",
        "Add licence conditions for the member released to {place2}",
        "Offer the young people found a diversion place",
        "Diversion activity programme with the community safety partnership",
    ),
    "protect": (
        "Joint visits with housing to the cuckooed flats",
        "Apply for closure orders on the flats in {place}",
        "National Referral Mechanism referrals for exploited people",
        "Target harden the homes of the cuckooed adults",
        "Brief the businesses used to launder cash in {place}",
    ),
    "prepare": (
        "Consult the lifetime offender manager on SCPO terms",
        "Community reassurance plan with the council for the trial",
        "Brief neighbourhood teams on tension indicators in {place}",
        "Plan release management with probation and the LOM",
        "Community impact statement for sentencing in {place}",
    ),
}
_OBJECTIVES = {
    "pursue": "Dismantle the {threat} supply line into {place}.",
    "prevent": "Stop young people being drawn into the {threat} line.",
    "protect": "Safeguard the vulnerable people the {threat} exploits.",
    "prepare": "Manage the principal members for life after conviction.",
}
_RESULTS = (
    "Warrants executed; {n} people charged and remanded.",
    "Accounts restrained under POCA and {n},500 GBP seized.",
    "All {n} young people referred and engaged with mentors.",
    "Closure orders granted on {n} flats for three months.",
    "NRM referrals made for {n} people; support in place.",
    "Input delivered to {n} classes in {place}.",
    "SCPO applications drafted with the lifetime offender manager.",
)
_LOG = (
    "Management meeting kept the {threat} at high priority.",
    "Intelligence shows the line holder moved two runners.",
    "Agreed joint visits to {n} cuckooed flats with housing.",
    "Surveillance under {op} confirmed the courier route.",
    "Strategy meeting held for {n} young people at risk.",
    "Partner tasking meeting reviewed prevent and protect actions.",
    "Disruption recorded on APMIS after a safe house search.",
    "Briefed the neighbourhood team on the group's vehicles.",
)
_REVIEWS = (
    "Reviewed the four Ps; {n} actions completed.",
    "Runners engaged with diversion; financial enquiries progressing.",
    "Threat picture unchanged; protect work widened to {place2}.",
    "Warrant planning under {op} on track.",
)
_SUMMARY_PARTS = (  # each short, and each followed by its source's reference
    "supplies class A in {place} using {n} exploited runners from {street}",
    "launders cash through a {business} and {m} takeaways in {place}",
    "cuckoos {n} vulnerable adults around {street} and moves stock by {vehicle}",
    "violent towards rivals in {place2} and has {weapon} says {who}",
    "recruits children in {place2} with offers of {lure}",
    "supplied from {place3} by couriers {m} times a week by {vehicle}",
    "harm down since the {month} warrants but a new line holder is in {place}",
)
_VEHICLES = ("hire car", "train", "taxi", "moped", "coach", "van", "bicycle", "private car")
_WEAPONS = ("a firearm", "knives", "a converted pistol", "a shotgun", "machetes", "noxious liquids")
_LURES = ("money", "food and clothing", "trainers", "phones", "cannabis", "protection", "lifts in cars")
_LIFETIME = re.compile(r"\b(?:SCPO|LOM|lifetime)", re.IGNORECASE)
_VERBS = ("met", "briefed", "spoke to", "called", "emailed", "visited", "updated", "tasked", "debriefed",
          "agreed next steps with", "shared intelligence with", "reviewed progress with", "escalated to",
          "wrote to", "arranged a meeting with")
_WHOM = ("the housing officer", "the MASH lead", "the families of two runners", "the school safeguarding lead",
         "the probation officer", "the exploitation team", "the neighbourhood sergeant", "the financial "
         "investigator", "the tasking officer", "the youth worker", "the landlord", "the analyst", "the CPS lawyer",
         "the custody sergeant", "the community safety manager", "the social worker", "the border force team")
_DAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
           "November", "December")
_BUSINESSES = ("hand car wash", "vape shop", "barber shop", "nail bar", "mini market", "phone repair shop",
               "tyre fitter", "takeaway")


def _detail(rng: random.Random) -> str:
    """When, who, what with whom and where: what makes officers' entries differ from one another, so
    independent plans share no long passage by chance (the copied-text rule would rightly flag them)."""
    return (f"ref {rng.randint(1000, 999999)} on {rng.choice(_DAYS)} {rng.randint(1, 28)} {rng.choice(_MONTHS)}: "
            f"{rng.choice(FIRST)} {rng.choice(LAST)} {rng.choice(_VERBS)} {rng.choice(_WHOM)} in "
            f"{rng.choice(PLACES)} at {rng.randint(7, 21)}:{rng.randint(0, 59):02d} (log {rng.randint(1000, 999999)})")


def _stream(seed: int, index: int, part: str) -> random.Random:
    # A separate stream per plan and purpose: plan i is the same whatever N is, and a copied passage
    # can be rebuilt from the plan it was copied from.
    return random.Random(f"{seed}:{index}:{part}")


def _size(rng: random.Random) -> int:
    """10 to 200, log-uniform: most plans are small, a few are large."""
    return int(round(10 * 20 ** (rng.random() ** 2)))


def _person(rng: random.Random, ranks: Sequence[Tuple[str, str]] = RANKS) -> Tuple[str, str]:
    short, rank = rng.choice(ranks)
    return f"{short} {rng.choice(FIRST)} {rng.choice(LAST)}", rank


def _stamp(moment: dt.datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M")


def _q(text: str) -> str:
    """A YAML scalar for text: plain where that reads the same, else JSON-quoted (valid YAML)."""
    if text and text[0].isalnum() and not any(c in text for c in ",:#[]{}\"'&*!|>%@`") \
            and text.strip() == text and not text[-1] == "?":
        return text
    return json.dumps(text, ensure_ascii=False)


def _summary(seed: int, index: int, fill: Dict[str, str]) -> str:
    """A plan's own threat summary: the long passage another plan may copy."""
    rng = _stream(seed, index, "summary")
    parts = rng.sample(_SUMMARY_PARTS, 4)
    return "; ".join(p.format(n=rng.randint(2, 12), m=rng.randint(2, 6), vehicle=rng.choice(_VEHICLES),
                              weapon=rng.choice(_WEAPONS), lure=rng.choice(_LURES), month=rng.choice(_MONTHS),
                              who=f"{rng.choice(FIRST)} {rng.choice(LAST)}", **fill)
                     + f" (source {rng.randint(10000, 999999)})" for p in parts) + "."


def _fill(seed: int, index: int) -> Dict[str, str]:
    rng = _stream(seed, index, "names")
    places = rng.sample(PLACES, 3)
    street = rng.choice(STREETS)
    return {"place": places[0], "place2": places[1], "place3": places[2], "street": street,
            "threat": f"{street} OCG", "op": f"Op {rng.choice(BIRDS)}", "business": rng.choice(_BUSINESSES)}


def _head(rng: random.Random, index: int, fail_share: float, copy_share: float) -> Tuple[set, bool]:
    """The first draws of a plan's stream: its failings and whether it copies; so they can be known for
    any plan without generating it."""
    fails = {name for name in failings() if rng.random() < fail_share}
    return fails, bool(index) and rng.random() < copy_share


def generate_plan(seed: int, index: int, as_of: dt.date, fail_share: float, copy_share: float
                  ) -> Tuple[str, List[str]]:
    """The YAML text of plan `index` and the failings put into it."""
    rng = _stream(seed, index, "plan")
    fails, copies = _head(rng, index, fail_share, copy_share)
    copied_from: Optional[int] = None
    if copies:  # from an earlier plan that holds its own summary (assessed, and not itself a copy)
        for _ in range(8):
            source = index - 1 - rng.randrange(index)
            source_fails, source_copies = _head(_stream(seed, source, "plan"), source, fail_share, copy_share)
            if not source_copies and "threat-assessed" not in source_fails:
                copied_from = source
                break
    # Some failings exclude others' preconditions: keep what makes each one testable.
    status = "closed" if "closure-debriefed" in fails or rng.random() < 0.05 else "active"
    if status == "closed":
        fails.discard("draft-in-use")
        for rule in ("plan-kept-current", "lro-reviews-regular", "qa-evidenced", "disruptions-recorded"):
            fails.discard(rule)  # judged over a closed plan's life, which the generator keeps well
    elif "draft-in-use" in fails:
        status = "draft"  # with done actions and results: a draft in use, judged as active
    if "threat-assessed" in fails:
        fails -= {"threat-assessment-whole", "threat-assessment-current"}
    if "lro-named" in fails:
        fails -= {"lro-trained", "lro-owns-plan"}
    if "four-ps-covered" in fails:
        fails -= {"pursue-not-dominant", "partners-engaged", "lifetime-management-considered"}
    if "disruptions-recorded" in fails:
        fails.discard("disruptions-meet-standard")

    fill = _fill(seed, index)
    force, code = FORCES[rng.randrange(len(FORCES))]
    end = dt.datetime(as_of.year, as_of.month, as_of.day, 9, 0) - dt.timedelta(days=rng.randint(1, 12))
    if "plan-kept-current" in fails:  # nothing written for over two months
        end -= dt.timedelta(days=75)
    n_reviews, n_log, n_actions = _size(rng), _size(rng), _size(rng)
    gap = rng.randint(12, 30)  # days between LRO reviews
    start = end - dt.timedelta(days=gap * n_reviews + rng.randint(3, 10))
    created = start
    op_started = created + dt.timedelta(days=rng.randint(2, 20))
    if "plan-before-operation" in fails:
        op_started = created - dt.timedelta(days=rng.randint(5, 40))
    span = (end - created).total_seconds()

    def at(fraction: float) -> dt.datetime:
        moment = created + dt.timedelta(seconds=span * min(max(fraction, 0.0), 1.0))
        return moment.replace(hour=rng.randint(8, 18), minute=rng.choice((0, 10, 15, 20, 30, 40, 45, 50)))

    lro, lro_rank = _person(rng)
    deputy, deputy_rank = _person(rng, (("Ch Insp", "Chief Inspector"), ("DI", "Detective Inspector")))
    sio, sio_rank = _person(rng, (("DCI", "Detective Chief Inspector"), ("DI", "Detective Inspector")))
    supervisor = _person(rng, (("Ch Supt", "Chief Superintendent"),))[0]
    appointed = (created - dt.timedelta(days=rng.randint(1, 10))).date()
    trained = appointed - dt.timedelta(days=rng.randint(30, 700))
    if "lro-trained" in fails:
        trained = min(appointed + dt.timedelta(days=rng.randint(10, 200)), as_of - dt.timedelta(days=1))
    summary = _summary(seed, index, fill)
    if copied_from is not None:  # the copied passage replaces this plan's own summary, word for word
        summary = _summary(seed, copied_from, _fill(seed, copied_from))

    out: List[str] = [f"# Synthetic 4P plan {index} for the fourp benchmark (seed {seed}); not a real plan.",
                      "fourp: 1", f"id: {code}-4P-{created.year}-{index:05d}", f"force: {_q(force)}",
                      f"status: {status.capitalize() if 'plan-spelling' in fails else status}",
                      f"created: {_stamp(created)}", "", "threat:",
                      f"  name: {fill['threat']}", "  kind: ocg", f"  reference: SOCML-{code}-{10000 + index}",
                      f"  categories: [{', '.join(rng.sample(CATEGORIES, rng.randint(1, 3)))}]"]
    if "threat-assessed" in fails and copied_from is not None:  # no assessment to hold it: a log entry does
        summary_copied_to_log = summary
    else:
        summary_copied_to_log = None
    if "threat-assessed" not in fails:
        assessed = dt.datetime(as_of.year, as_of.month, as_of.day, 15, 0) - dt.timedelta(days=rng.randint(20, 300))
        next_review = assessed.date() + dt.timedelta(days=365)
        if "threat-assessment-current" in fails:
            next_review = as_of - dt.timedelta(days=rng.randint(5, 60))
        harm, likelihood = rng.randint(20, 60), rng.randint(8, 24)
        out += ["  assessment:", "    method: MoRiLE", f"    assessed: {_stamp(assessed)}",
                f"    assessor: {_person(rng, (('DS', 'Detective Sergeant'),))[0]}",
                f"    scope: {'partial' if 'threat-assessment-whole' in fails else 'whole-threat'}",
                f"    harm: {harm}", f"    likelihood: {likelihood}", f"    risk: {harm * likelihood}",
                f"    confidence: {rng.randint(1, 4)}", f"    priority: {rng.choice(('high', 'medium'))}",
                f"    next_review: {next_review.isoformat()}", f"    summary: {_q(summary)}"]
    out += ["", "lro:"]
    if "lro-named" not in fails:
        out += [f"  name: {lro}", f"  rank: {lro_rank}"]
    else:
        out += [f"  rank: {lro_rank}"]
    out += [f"  appointed: {appointed.isoformat()}", f"  trained: {trained.isoformat()}",
            "deputies:", f"  - {{name: {deputy}, rank: {deputy_rank}}}", f"sio: {{name: {sio}, rank: {sio_rank}}}"]
    if "lro-owns-plan" in fails:
        out.append(f"author: {{name: {sio}, role: sio}}")
    else:
        out.append(f"author: {{name: {lro if 'lro-named' not in fails else deputy}, role: "
                   f"{'lro' if 'lro-named' not in fails else 'deputy'}}}")
    out.append(f"operation: {{name: {fill['op']}, started: {op_started.date().isoformat()}}}")
    if "intelligence-referenced" not in fails:
        out += ["", "intelligence:"]
        for k in range(rng.randint(1, 4)):
            dated = (created + dt.timedelta(days=rng.randint(-60, 30))).date()
            number = rng.randint(100, 9999)  # drawn in this order, so the same seed makes the same plans
            kind = rng.choice(('Intelligence profile', 'Problem profile', 'Network analysis', 'Threat update'))
            author = rng.choice(FIRST) + ' ' + rng.choice(LAST)
            out.append(f"  - {{reference: {code}-INT-{dated.year}-{number:04d}, title: "
                       f"{_q(kind + ' ' + str(k + 1) + ' of the ' + fill['threat'] + ' by ' + author)},"
                       f" dated: {min(dated, as_of).isoformat()}}}")

    # Actions: shared out across the four Ps, Pursue at most half unless that failing is wanted.
    ps = ["pursue", "prevent", "protect", "prepare"]
    dropped = rng.choice(ps) if "four-ps-covered" in fails else None
    if "pursue-not-dominant" in fails:
        shares = {"pursue": 0.85, "prevent": 0.05, "protect": 0.05, "prepare": 0.05}
    else:
        shares = {"pursue": 0.35, "prevent": 0.22, "protect": 0.23, "prepare": 0.2}
    counts = {p: max(1, int(round(n_actions * shares[p]))) for p in ps}
    templates, results = _ACTIONS, _RESULTS
    if "lifetime-management-considered" in fails:  # no SCPO, LOM or lifetime management anywhere
        templates = {p: tuple(t for t in _ACTIONS[p] if not _LIFETIME.search(t)) for p in ps}
        results = tuple(t for t in _RESULTS if not _LIFETIME.search(t))
    out.append("")
    sequence = 0
    for p in ps:
        if p == dropped:
            continue
        objective = f"{_OBJECTIVES[p].format(**fill)} {_detail(rng)}."
        out += [f"{p}:", "  objectives:", f"    - {_q(objective)}", "  actions:"]
        for k in range(counts[p]):
            sequence += 1
            raised = at(rng.random() * 0.9)
            template = rng.choice(templates[p]) if not (p == "prepare" and k == 0) else templates[p][0]
            text = f"{template.format(**fill)}; {_detail(rng)}"
            if "text-specific-to-threat" in fails and sequence == 1:
                text += f" and the {rng.choice([s for s in STREETS if s != fill['street']])} OCG"
            owner = lro if p == "prepare" and k == 0 and "lro-named" not in fails else \
                _person(rng, (("DC", "Detective Constable"), ("DS", "Detective Sergeant"), ("PC", "Constable")))[0]
            agency = "police"
            if p in ("prevent", "protect") and (k % 2 == 0) and "partners-engaged" not in fails:
                agency, team = rng.choice(PARTNERS)
                owner = f"{rng.choice(FIRST)} {rng.choice(LAST)}, {team}"
            # The first action is done (the single-action failings go there), the second open.
            done = sequence == 1 or (sequence > 2 and rng.random() < 0.55)
            due = raised.date() + dt.timedelta(days=rng.randint(14, 120))
            state = "done" if done else rng.choice(("open", "open", "open", "cancelled"))
            if state == "open" and due < as_of:
                due = as_of + dt.timedelta(days=rng.randint(7, 120))
            if sequence == 2 and "actions-overdue" in fails:  # overdue when judged: at closure if closed
                judged = end.date() if status == "closed" else as_of
                state, due = "open", judged - dt.timedelta(days=rng.randint(3, 90))
            out += [f"    - id: {p[:2].upper()}-{k + 1:02d}", f"      action: {_q(text)}"]
            if not (sequence == 1 and "actions-allocated" in fails):
                out.append(f"      owner: {_q(owner)}")
            out += [f"      agency: {agency}", f"      raised: {_stamp(raised)}"]
            if not (sequence == 1 and "actions-allocated" in fails):
                out.append(f"      due: {due.isoformat()}")
            out.append(f"      status: {state}")
            if state == "done":
                finished = min(raised + dt.timedelta(days=rng.randint(3, 90)), end)
                if sequence == 1 and "dates-consistent" in fails:
                    finished = raised - dt.timedelta(days=rng.randint(1, 20))
                result_text = f"{rng.choice(results).format(n=rng.randint(2, 9), **fill)} {_detail(rng)}."
                if sequence == 1 and "entries-substantive" in fails:
                    result_text = rng.choice(PLACEHOLDERS)
                if not (sequence == 1 and "actions-resulted" in fails):
                    stamp = finished.date().isoformat() if sequence == 1 and "entries-timed-dated" in fails \
                        else _stamp(finished)
                    out += ["      result:", f"        at: {stamp}", f"        text: {_q(result_text)}"]
                if "disruptions-recorded" not in fails and (sequence == 1 or rng.random() < 0.5):
                    summary_text = f"{rng.choice(results).format(n=rng.randint(2, 9), **fill)} {_detail(rng)}."
                    if sequence == 1 and "disruptions-meet-standard" in fails:  # SEROCU L57
                        summary_text = f"Management of registered sex offenders in {fill['place']}; {_detail(rng)}."
                    out += ["      disruption:", f"        reference: APMIS-D-{rng.randint(10000, 99999)}",
                            f"        impact: {rng.choice(('major', 'moderate', 'minor'))}",
                            f"        recorded: {_stamp(min(finished + dt.timedelta(days=1), end))}",
                            f"        summary: {_q(summary_text)}"]
    # Links, partners, reviews, sign-offs and the log.
    out += ["", "safeguarding:"]
    if "safeguarding-linked" not in fails:
        out.append(f"  - {{reference: SG-{created.year}-{rng.randint(100, 9999):04d}, kind: safeguarding, "
                   f"owner: {fill['place']} MASH, linked: {_stamp(at(0.02))}}}")
    out.append(f"  - {{reference: INV-{index:05d}, kind: investigation, owner: {sio}, linked: {_stamp(at(0.03))}}}")
    out += ["partners:"] + [f"  - {{name: {_q(team)}, contact: {_q(fill['place'] + ' team manager')}}}"
                            for _, team in rng.sample(PARTNERS, 3)]
    reviews_at = [created + dt.timedelta(days=gap * (k + 1), hours=rng.randint(0, 8)) for k in range(n_reviews)]
    if "lro-reviews-regular" in fails and n_reviews > 2:
        cut = n_reviews // 2  # a long silence in the middle
        reviews_at = reviews_at[:cut] + reviews_at[cut + max(2, 60 // gap + 1):]
    out += ["", "reviews:"]
    for k, moment in enumerate(reviews_at):
        text = f"{rng.choice(_REVIEWS).format(n=rng.randint(2, 9), **fill)} {_detail(rng)}."
        out.append(f"  - {{at: {_stamp(min(moment, end))}, by: {lro if 'lro-named' not in fails else deputy},"
                   f" role: {'lro' if 'lro-named' not in fails else 'deputy'}, summary: {_q(text)}}}")
    out += ["quality_assurance:"]
    if "qa-evidenced" not in fails:
        qa = [end - dt.timedelta(days=d) for d in (rng.randint(5, 60), rng.randint(120, 200))]
        for moment in sorted(qa):
            if moment > created:
                out.append(f"  - {{at: {_stamp(moment)}, by: {supervisor}, role: supervisor, outcome: approved, "
                           f"comments: {_q('Balanced across the four Ps; ' + _detail(rng) + '.')}}}")
    else:
        out[-1] = "quality_assurance: []"
    out += ["", "log:"]
    last = end - dt.timedelta(days=rng.randint(0, 10))
    for k in range(n_log):
        moment = at((k + 1) / n_log) if k < n_log - 1 else last.replace(hour=11, minute=5)
        text = f"{rng.choice(_LOG).format(n=rng.randint(2, 9), **fill)} {_detail(rng)}."
        stamp = _stamp(moment)
        if k == 0 and "entries-timed-dated" in fails:
            stamp = moment.date().isoformat()
        if k == 3 and summary_copied_to_log:
            text = summary_copied_to_log
        if k == 1 and "entries-substantive" in fails:
            text = rng.choice(PLACEHOLDERS)
        if k == 2 and "dates-consistent" in fails:
            stamp = _stamp(dt.datetime(as_of.year, as_of.month, as_of.day, 10, 0)
                           + dt.timedelta(days=rng.randint(30, 200)))
        by = lro if 'lro-named' not in fails else deputy
        out.append(f"  - {{at: {_q(stamp) if '/' in stamp else stamp}, by: {by}, text: {_q(text)}}}")
    if status == "closed":
        out += ["", "closure:", f"  closed: {_stamp(end)}", "  reason: Principal members convicted and sentenced"]
        if "closure-debriefed" not in fails:
            out += ["  debrief:", f"    at: {_stamp(end)}", f"    by: {lro}",
                    "    learning: " + _q(f"Earlier housing involvement in {fill['place']} would have protected "
                                     "the tenants sooner.")]
    text = "\n".join(out) + "\n"
    made = sorted(fails) + ([COPIED] if copied_from is not None else [])
    return text, made


def generate(count: int, folder: str, seed: int = 6, as_of: dt.date = dt.date(2024, 9, 30),
             fail_share: float = 0.1, copy_share: float = 0.05) -> Dict[str, Any]:
    """Writes `count` plans into `folder` (created if needed) and returns the manifest."""
    os.makedirs(folder, exist_ok=True)
    plans = {}
    for index in range(count):
        text, made = generate_plan(seed, index, as_of, fail_share, copy_share)
        name = f"plan-{index:05d}.yaml"
        with open(os.path.join(folder, name), "w", encoding="utf-8") as handle:
            handle.write(text)
        plans[name] = made
    manifest = {"seed": seed, "count": count, "as_of": as_of.isoformat(), "fail_share": fail_share,
                "copy_share": copy_share, "plans": plans}
    with open(os.path.join(folder, ".manifest.json"), "w", encoding="utf-8") as handle:
        json.dump(manifest, handle, indent=1)
    return manifest


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("count", type=int)
    parser.add_argument("folder")
    parser.add_argument("--seed", type=int, default=6)
    parser.add_argument("--as-of", type=dt.date.fromisoformat, default=dt.date(2024, 9, 30))
    parser.add_argument("--fail-share", type=float, default=0.1,
                        help="chance that each failing is put into each plan (default 0.1)")
    parser.add_argument("--copy-share", type=float, default=0.05,
                        help="share of plans carrying a passage copied from another (default 0.05)")
    args = parser.parse_args(argv)
    manifest = generate(args.count, args.folder, args.seed, args.as_of, args.fail_share, args.copy_share)
    clean = sum(1 for made in manifest["plans"].values() if not made)
    print(f"wrote {args.count} plans to {args.folder} ({clean} with no failing put in)", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
