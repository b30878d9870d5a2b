"""Writes an example 4P plan in Wessex Police's own Word template (a fictional force laid out as forces'
own templates are), to show a force's template read through a mapping:

    python examples/force-template/make_wessex_plan.py wessex-plan.docx
    fourp check wessex-plan.docx --mapping examples/force-template/wessex.mapping.yaml

`PLAN` is the same plan in fourp's plan format: what the mapping must read from the document.
"""
from __future__ import annotations

import sys
from typing import Any, Dict, List, Sequence

#: (Ref, Strand, Action, Action Owner, Partner Agency, Date Raised, Time Raised, Target Date, Status, Update / Result)
ACTIONS: List[Sequence[str]] = [
    ("A1", "Pursue", "Execute drugs warrants at the Saxon Road cuckooed flats and arrest the line holders.",
     "DI Sam Okoye", "Wessex Police", "05/03/2024", "1430hrs", "30/04/2024", "Complete",
     "Warrants executed 18 April 2024: three arrested, 400 wraps of crack cocaine and two phones seized."),
    ("A2", "Protect", "Refer the two children found at the flats to the MASH and agree a safeguarding plan.",
     "DS Priya Nair", "Dorset Council children's services", "05/03/2024", "1445hrs", "31/05/2024", "Open", ""),
    ("A3", "Pursue", "Apply for a closure order on the flat used as the line's base.",
     "PS Lee Ford", "Wessex Police", "06/03/2024", "0915hrs", "15/05/2024", "Complete", ""),
    ("A4", "Prevent", "Youth offending team to offer diversion to the three boys running the line.",
     "Kim Ashby", "Youth offending team", "06/03/2024", "1000hrs", "30/06/2024", "Open", ""),
    ("A5", "Prepare", "Consult the lifetime offender manager on an SCPO for the line holder on conviction.",
     "DI Sam Okoye", "Wessex Police", "07/03/2024", "1100hrs", "31/07/2024", "Open", ""),
]

#: The plan as fourp's plan format holds it: what reading the document through the mapping gives.
PLAN: Dict[str, Any] = {
    "id": "WSX-4P-2024-011", "created": "2024-03-05T14:30", "force": "Wessex Police", "status": "active",
    "threat": {"name": "Saxon Road OCG", "kind": "ocg", "reference": "OCG-2024-0311",
               "categories": ["drugs", "modern-slavery"],
               "assessment": {"method": "MoRiLE", "assessed": "2024-03-01T10:00", "assessor": "DS Priya Nair, SOCU",
                              "scope": "whole-threat", "priority": "Tier 2", "next_review": "2024-09-01",
                              "summary": "The Saxon Road OCG supplies crack cocaine and heroin into Weymouth through "
                                         "a county line run from Bristol, using cuckooed flats of vulnerable adults "
                                         "and children as runners.\nThe whole OCG is assessed, not only the part "
                                         "under Operation Kestrel; harm is high because of the exploitation."}},
    "lro": {"name": "Det Supt Claire Hollis", "rank": "Detective Superintendent", "appointed": "2024-02-02",
            "trained": "2024-01-14"},
    "author": {"name": "Det Supt Claire Hollis", "role": "lro"},
    "operation": {"name": "Operation Kestrel"},
    "pursue": {"objectives": ["Dismantle the Saxon Road line and prosecute its holders."], "actions": []},
    "prevent": {"objectives": ["Divert the boys running the line away from the OCG."], "actions": []},
    "protect": {"objectives": ["Safeguard the children and adults exploited by the line."], "actions": []},
    "prepare": {"objectives": ["Manage the principal members for life after conviction."], "actions": []},
    "reviews": [{"at": "2024-03-05T14:30", "by": "Det Supt Claire Hollis", "role": "lro",
                 "summary": "Plan opened with the four strands agreed at the tasking meeting."},
                {"at": "2024-04-02T10:00", "by": "Det Supt Claire Hollis", "role": "lro",
                 "summary": "Warrant planning on track; MASH referral chased."},
                {"at": "2024-05-03T09:00", "by": "Det Supt Claire Hollis", "role": "lro",
                 "summary": "Arrests made; closure order application to be drafted."}],
    "quality_assurance": [{"at": "2024-03-12", "by": "Ch Supt Mark Dean", "role": "Head of crime",
                           "outcome": "approved", "comments": "Good partner actions; add a Prepare objective date."}],
    "partners": [{"name": "Dorset Council children's services", "contact": "MASH duty manager"},
                 {"name": "Youth offending team", "contact": "Kim Ashby"}],
    "log": [{"at": "2024-04-18T06:00", "by": "DI Sam Okoye",
             "text": "Warrants executed at both flats; three arrested."}],
}
_P_OF = {"Pursue": "pursue", "Prevent": "prevent", "Protect": "protect", "Prepare": "prepare"}
_STATUS = {"Complete": "done", "Open": "open"}
for ref, strand, action, owner, agency, day, time, due, status, result in ACTIONS:
    entry: Dict[str, Any] = {"id": ref, "action": action, "owner": owner,
                             "agency": "police" if agency == "Wessex Police" else agency,
                             "raised": f"{day[6:]}-{day[3:5]}-{day[:2]}T{time[:2]}:{time[2:4]}",
                             "due": due, "status": _STATUS[status]}
    if result:
        entry["result"] = {"text": result}
    PLAN[_P_OF[strand]]["actions"].append(entry)


def write(path: str) -> None:
    import docx
    from docx.enum.section import WD_ORIENT
    from docx.shared import Cm

    document = docx.Document()
    section = document.sections[0]
    section.orientation = WD_ORIENT.LANDSCAPE
    section.page_width, section.page_height = Cm(29.7), Cm(21.0)
    document.add_paragraph("WESSEX POLICE", style="Title")
    document.add_paragraph().add_run("4P TACTICAL PLAN - OFFICIAL-SENSITIVE").bold = True
    pairs = [("Plan Ref", "WSX-4P-2024-011", "Date opened", "05/03/2024 14:30"),
             ("Force", "Wessex Police", "Plan status", "Live"),
             ("OCG / Nominal", "Saxon Road OCG", "Threat type", "OCG"),
             ("APMIS ref", "OCG-2024-0311", "Crime types", "drugs, modern-slavery"),
             ("Lead Responsible Officer", "Det Supt Claire Hollis", "LRO rank", "Detective Superintendent"),
             ("LRO appointed", "2 February 2024", "LRO training completed", "14th January 2024"),
             ("Plan written by", "Det Supt Claire Hollis", "Author role", "LRO"),
             ("Operation", "Operation Kestrel", "Assessment method", "MoRiLE"),
             ("Assessed on", "1 March 2024 10:00", "Assessed by", "DS Priya Nair, SOCU"),
             ("Assessment covers", "Whole OCG", "MoRiLE band", "Tier 2"),
             ("Assessment review due", "01/09/2024", "", "")]
    table = document.add_table(rows=0, cols=4)
    table.style = document.styles["Table Grid"]
    for row in pairs:
        cells = table.add_row().cells
        for cell, text in zip(cells, row):
            cell.text = text
    document.add_heading("Threat Assessment", 2)
    for paragraph in PLAN["threat"]["assessment"]["summary"].split("\n"):
        document.add_paragraph(paragraph)

    def grid(heading: str, columns: Sequence[str], rows: Sequence[Sequence[str]]) -> None:
        document.add_heading(heading, 2)
        table = document.add_table(rows=1, cols=len(columns))
        table.style = document.styles["Table Grid"]
        for cell, text in zip(table.rows[0].cells, columns):
            cell.text = text
        for row in rows:
            for cell, text in zip(table.add_row().cells, row):
                cell.text = text
    grid("Objectives", ["Strand", "Objective"],
         [(strand, PLAN[p]["objectives"][0]) for strand, p in _P_OF.items()])
    grid("4P Action Plan", ["Ref", "Strand", "Action", "Action Owner", "Partner Agency", "Date Raised", "Time Raised",
                            "Target Date", "Status", "Update / Result"],
         [(ref, strand, action, owner, agency, day, time, due, status, result)
          for ref, strand, action, owner, agency, day, time, due, status, result in ACTIONS])
    grid("Review Log", ["Date", "Time", "Reviewing Officer", "Role", "Comments"],
         [("05/03/2024", "1430hrs", "Det Supt Claire Hollis", "LRO", PLAN["reviews"][0]["summary"]),
          ("02/04/2024", "1000hrs", "Det Supt Claire Hollis", "LRO", PLAN["reviews"][1]["summary"]),
          ("03/05/2024", "0900hrs", "Det Supt Claire Hollis", "LRO", PLAN["reviews"][2]["summary"])])
    grid("Supervisor QA", ["Date", "Supervisor", "Role", "Decision", "Comments"],
         [("12/03/2024", "Ch Supt Mark Dean", "Head of crime", "Agreed", PLAN["quality_assurance"][0]["comments"])])
    grid("Partners", ["Agency", "Contact"], [(p["name"], p["contact"]) for p in PLAN["partners"]])
    grid("Plan Log", ["Date", "Time", "By", "Entry"],
         [("18/04/2024", "0600hrs", "DI Sam Okoye", PLAN["log"][0]["text"])])
    document.save(path)


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: make_wessex_plan.py OUT.docx")
    write(sys.argv[1])
    print(f"wrote {sys.argv[1]}", file=sys.stderr)
