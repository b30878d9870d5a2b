"""Reading a force's register of managed threats: CSV and YAML, and the errors a bad register gives."""
from __future__ import annotations

import datetime as dt
import textwrap

import pytest

from fourp.read.register import RegisterError, load_register, register_from_entries, threat_key


def write(tmp_path, name, text, encoding="utf-8"):
    path = tmp_path / name
    path.write_bytes(textwrap.dedent(text).encode(encoding))
    return str(path)


def test_csv_with_the_column_names_forces_use(tmp_path):
    path = write(tmp_path, "register.csv", """\
        Threat Reference,Threat Name,Type,Date adopted
        SOCML-SE-20931,Harbour Lane OCG,OCG,2024-01-29

        SOCML-SE-20544,Lyndhurst Row OCG,ocg,09/10/2023
        SOCML-SE-30001,"Smith, J (priority individual)",priority individual,
        """)
    register = load_register(path)
    assert [t.reference for t in register.threats] == ["SOCML-SE-20931", "SOCML-SE-20544", "SOCML-SE-30001"]
    assert [t.line for t in register.threats] == [2, 4, 5]
    first, second, third = register.threats
    assert (first.name, first.kind, first.managed_since) == ("Harbour Lane OCG", "ocg", dt.date(2024, 1, 29))
    assert second.managed_since == dt.date(2023, 10, 9)  # day-first, as officers type it
    assert (third.name, third.kind, third.managed_since) == ("Smith, J (priority individual)",
                                                              "priority-individual", None)


def test_yaml_list_or_threats_mapping_with_lines(tmp_path):
    listed = write(tmp_path, "a.yaml", """\
        - {reference: SOCML-SE-1, name: A OCG, kind: ocg, managed_since: 2024-01-10}
        - reference: SOCML-SE-2
          name: B OCG
        """)
    mapped = write(tmp_path, "b.yml", """\
        threats:
          - {reference: SOCML-SE-1, name: A OCG}
        """)
    assert [(t.reference, t.line) for t in load_register(listed).threats] == [("SOCML-SE-1", 1), ("SOCML-SE-2", 2)]
    assert load_register(listed).threats[0].managed_since == dt.date(2024, 1, 10)
    assert [t.line for t in load_register(mapped).threats] == [2]


@pytest.mark.parametrize("name, text, line, reason", [
    ("r.csv", "reference,name,kind,managed_since\nSOCML-1,A,ocg,last spring\n", 2, "is not a date"),
    ("r.csv", "reference,name,kind\nSOCML-1,A,gang\n", 2, "is not one of"),
    ("r.csv", "reference,name\nSOCML-1,A\nsocml 1,B\n", 3, "listed twice (first on line 2)"),
    ("r.csv", "colour,size\nred,big\n", 1, "names no reference or name column"),
    ("r.csv", "reference,name\nSOCML-1,A,extra\n", 2, "3 cells but the header has 2"),
    ("r.csv", "reference,name\n,\nSOCML-1,\n,  \n", None, None),
    ("r.csv", "", None, "empty"),
    ("r.yaml", "- {reference: SOCML-1, owner: X}\n", 1, "unknown field 'owner'"),
    ("r.yaml", "- {reference: SOCML-1}\n- {name: ''}\n", 2, "neither a reference nor a name"),
    ("r.yaml", "threats: {reference: SOCML-1}\n", 1, "must be a list"),
    ("r.yaml", "plans: []\n", 1, "only `threats:`"),
    ("r.yaml", "- {reference: SOCML-1}\n- [oops\n", 3, "not valid YAML"),
    ("r.yaml", "- {reference: A, reference: B}\n", 1, "appears twice"),
    ("r.txt", "reference\nA\n", None, "a .csv, .yaml"),
])
def test_a_bad_register_says_where_and_why(tmp_path, name, text, line, reason):
    path = write(tmp_path, name, text)
    if reason is None:  # blank rows are skipped; a row with a reference is kept
        assert [t.reference for t in load_register(path).threats] == ["SOCML-1"]
        return
    with pytest.raises(RegisterError) as caught:
        load_register(path)
    assert caught.value.file == path and caught.value.line == line
    assert reason in caught.value.reason


def test_missing_file_and_windows_export(tmp_path):
    with pytest.raises(RegisterError, match="cannot read the register"):
        load_register(str(tmp_path / "absent.csv"))
    path = write(tmp_path, "r.csv", "reference,name\nSOCML-1,Caf\u00e9 Row OCG\n", encoding="cp1252")
    assert load_register(path).threats[0].name == "Caf\u00e9 Row OCG"


def test_entries_from_another_system_and_keys():
    register = register_from_entries([{"reference": " SOCML-SE-1 ", "name": "A  OCG"}])
    assert register.threats[0].reference == "SOCML-SE-1" and register.threats[0].name == "A OCG"
    assert threat_key("SOCML-SE-20931") == threat_key("socml se 20931") != threat_key("SOCML-SE-2093")
