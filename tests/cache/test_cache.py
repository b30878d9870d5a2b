"""The results cache and the pack cache: a changed plan, pack or date is always evaluated afresh; an entry
that is corrupt is a miss, never an error; nothing is written beside the plans."""
from __future__ import annotations

import datetime as dt
import os
import pickle
import shutil
import sqlite3
import zlib

import pytest
from conftest import ROOT

from fourp import load_pack
from fourp.audit import audit
from fourp.cache.results import ResultsCache
from fourp.cache.store import default_cache_dir

AS_OF = dt.date(2024, 9, 30)
EXAMPLES = str(ROOT / "examples")


@pytest.fixture(autouse=True)
def own_cache_home(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))


@pytest.fixture
def folder(tmp_path):
    plans = tmp_path / "plans"
    plans.mkdir()
    for name in ("good-plan.yaml", "surrey-no-lro.yaml", "thames-valley-no-results.yaml"):
        shutil.copy(os.path.join(EXAMPLES, name), plans / name)
    (plans / "broken.yaml").write_text("fourp: 1\nid: [unclosed\n", encoding="utf-8")
    return plans


class Counting(ResultsCache):
    """A cache that counts plans' results taken and kept, to see what an audit evaluated."""

    def __init__(self, directory):
        super().__init__(directory)
        self.hits = self.stores = 0

    def kept(self, context, paths, max_bytes):
        found = super().kept(context, paths, max_bytes)
        self.hits += len(found)
        return found

    def keep(self, rows):
        rows = list(rows)
        self.stores += len(rows)
        return super().keep(rows)


def index(cache_dir):
    """The results index of a cache folder, opened as anyone who can write to the folder could."""
    return sqlite3.connect(ResultsCache(str(cache_dir)).index_path, isolation_level=None)


def _run(folder, cache, as_of=AS_OF, pack=None):
    return audit([str(folder)], pack=pack, as_of=as_of, jobs=1, cache=cache)


def _same(a, b):
    assert [r.to_dict() for r in a.reports] == [r.to_dict() for r in b.reports]
    assert [e.to_dict() for e in a.errors] == [e.to_dict() for e in b.errors]
    assert a.summary == b.summary and a.portfolio == b.portfolio


def test_default_cache_dir_follows_xdg(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "c"))
    assert default_cache_dir() == str(tmp_path / "c" / "fourp")
    monkeypatch.setenv("XDG_CACHE_HOME", "relative/path")  # ignored, as the XDG spec says
    assert default_cache_dir() == os.path.join(os.path.expanduser("~"), ".cache", "fourp")


def test_an_unchanged_folder_comes_from_the_cache_with_the_same_result(folder, tmp_path):
    first_cache = Counting(tmp_path / "cache")
    first = _run(folder, first_cache)
    assert (first_cache.hits, first_cache.stores) == (0, 4)
    again_cache = Counting(tmp_path / "cache")
    again = _run(folder, again_cache)
    assert (again_cache.hits, again_cache.stores) == (4, 0)
    _same(first, again)
    _same(first, _run(folder, None))  # and the same as with no cache at all
    assert sorted(os.listdir(folder)) == ["broken.yaml", "good-plan.yaml", "surrey-no-lro.yaml",
                                          "thames-valley-no-results.yaml"]  # nothing beside the plans


def test_a_changed_plan_is_evaluated_again(folder, tmp_path):
    _run(folder, Counting(tmp_path / "cache"))
    plan = folder / "good-plan.yaml"
    plan.write_text(plan.read_text(encoding="utf-8").replace("status: active", "status: closed"),
                    encoding="utf-8")
    cache = Counting(tmp_path / "cache")
    result = _run(folder, cache)
    assert (cache.hits, cache.stores) == (3, 1)
    report = next(r for r in result.reports if r.file.endswith("good-plan.yaml"))
    assert report.status == "closed"
    _same(result, _run(folder, None))


def test_a_changed_date_is_evaluated_again(folder, tmp_path):
    _run(folder, Counting(tmp_path / "cache"))
    cache = Counting(tmp_path / "cache")
    later = _run(folder, cache, as_of=AS_OF + dt.timedelta(days=200))
    assert cache.hits == 0 and cache.stores == 4
    _same(later, _run(folder, None, as_of=AS_OF + dt.timedelta(days=200)))


def test_a_changed_pack_or_a_pack_it_extends_is_evaluated_again(folder, tmp_path):
    base = tmp_path / "base.yaml"
    shutil.copy(load_pack().file, base)
    force = tmp_path / "force.yaml"
    force.write_text("fourp-pack: 1\nname: force\nextends: base.yaml\n", encoding="utf-8")
    _run(folder, Counting(tmp_path / "cache"), pack=load_pack(str(force)))
    cache = Counting(tmp_path / "cache")
    _run(folder, cache, pack=load_pack(str(force)))
    assert cache.hits == 4
    # The extended pack changes: a stricter review cadence. Every plan is judged again.
    base.write_text(base.read_text(encoding="utf-8").replace("default: 62", "default: 7", 1), encoding="utf-8")
    cache = Counting(tmp_path / "cache")
    changed = _run(folder, cache, pack=load_pack(str(force)))
    assert cache.hits == 0 and cache.stores == 4
    _same(changed, _run(folder, None, pack=load_pack(str(force))))
    # And the force's own pack changes.
    force.write_text(force.read_text(encoding="utf-8") + "overrides: {qa-evidenced: {severity: info}}\n",
                     encoding="utf-8")
    cache = Counting(tmp_path / "cache")
    _run(folder, cache, pack=load_pack(str(force)))
    assert cache.hits == 0


def test_corrupt_entries_are_misses(folder, tmp_path):
    first = _run(folder, ResultsCache(tmp_path / "cache"))
    db = index(tmp_path / "cache")
    rows = db.execute("SELECT rowid, blob FROM plans ORDER BY path").fetchall()
    [verdict] = db.execute("SELECT blob FROM verdicts").fetchall()
    assert len(rows) == 4  # four plans (the broken one's error too); and the cross-plan verdict
    (one, a), (two, b), (three, c), (four, _) = rows
    # Empty, garbage, another plan's sealed entry, one cut short, and the cross-plan verdict in a plan's place.
    for rowid, blob in ((one, b""), (two, b"\x00garbage"), (three, a), (four, c[:40])):
        db.execute("UPDATE plans SET blob = ? WHERE rowid = ?", (blob, rowid))
    db.execute("UPDATE plans SET blob = ? WHERE rowid = ?", (verdict[0], two))
    db.execute("UPDATE verdicts SET blob = ?", (a,))  # and a plan's entry where the verdict belongs
    db.close()
    cache = Counting(tmp_path / "cache")
    again = _run(folder, cache)
    assert cache.hits == 0 and cache.stores == 4
    _same(first, again)


def test_an_index_that_is_not_one_is_said_and_the_audit_goes_on(folder, tmp_path):
    from fourp.cache.store import cache_problems

    first = _run(folder, None)
    cache = ResultsCache(tmp_path / "cache")
    os.makedirs(os.path.dirname(cache.index_path))
    with open(cache.index_path, "wb") as handle:  # a truncated, or planted, file where the index belongs
        handle.write(b"SQLite format 3\x00" + b"\xff" * 200)
    cache_problems()
    _same(first, _run(folder, cache))
    [said] = cache_problems()
    assert tmp_path.joinpath("cache").as_posix() in said and "fourp cache clear" in said
    cache.clear()
    assert not os.path.exists(cache.index_path)  # clear removes it; the next audit keeps again
    _same(first, _run(folder, ResultsCache(tmp_path / "cache")))
    assert ResultsCache(tmp_path / "cache").entries() == 5


def test_an_unwritable_cache_never_fails_an_audit(folder, tmp_path):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("x", encoding="utf-8")
    result = _run(folder, ResultsCache(str(blocker / "cache")))
    _same(result, _run(folder, None))


def test_clear_removes_every_entry(folder, tmp_path):
    cache = ResultsCache(tmp_path / "cache")
    _run(folder, cache)
    assert cache.entries() == 5
    assert cache.clear() == 5
    assert cache.entries() == 0 and not os.path.exists(cache.index_path)
    counting = Counting(tmp_path / "cache")
    _run(folder, counting)
    assert counting.hits == 0


def test_the_pack_cache_is_used_only_while_the_pack_is_unchanged(tmp_path):
    pack_file = tmp_path / "pack.yaml"
    shutil.copy(load_pack().file, pack_file)
    first = load_pack(str(pack_file))
    cached = load_pack(str(pack_file))  # from the cache this time
    assert [r.to_dict() for r in cached.rules] == [r.to_dict() for r in first.rules]
    assert os.listdir(os.path.join(default_cache_dir(), "packs", "v1"))
    pack_file.write_text(pack_file.read_text(encoding="utf-8").replace("default: 62", "default: 7", 1),
                         encoding="utf-8")
    changed = load_pack(str(pack_file))
    assert changed.rule("lro-reviews-regular").params["max_gap_days"] == 7
    for entry in os.scandir(os.path.join(default_cache_dir(), "packs", "v1")):
        with open(entry.path, "wb") as handle:
            handle.write(b"not a pickle")
    assert load_pack(str(pack_file)).rule("lro-reviews-regular").params["max_gap_days"] == 7


def test_the_audit_command_caches_unless_told_not_to(folder, tmp_path):
    from click.testing import CliRunner

    from fourp.cli import main

    runner = CliRunner()
    results = os.path.join(default_cache_dir(), "results")
    args = ["audit", str(folder), "--as-of", "2024-09-30", "--format", "json", "-o", str(tmp_path / "a.json")]
    runner.invoke(main, args + ["--no-cache"])
    assert not os.path.exists(results)  # --no-cache keeps nothing
    first = runner.invoke(main, args)
    assert first.exit_code == 2  # broken.yaml cannot be read
    assert ResultsCache(default_cache_dir()).entries() == 5
    elsewhere = tmp_path / "elsewhere"
    runner.invoke(main, args + ["--cache-dir", str(elsewhere)])
    assert ResultsCache(str(elsewhere)).entries() == 5
    cleared = runner.invoke(main, ["cache", "clear"])
    assert cleared.exit_code == 0 and "removed" in cleared.output
    assert sum(len(fs) for _, _, fs in os.walk(results)) == 0
    assert runner.invoke(main, ["cache", "dir"]).output.strip() == default_cache_dir()


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="named pipes are a POSIX thing")
def test_a_named_pipe_among_the_plans_does_not_stall_the_cache(folder, tmp_path):
    os.mkfifo(folder / "pipe.yaml")
    result = _run(folder, ResultsCache(tmp_path / "cache"))
    assert any(e.file.endswith("pipe.yaml") for e in result.errors)


def test_fourp_no_cache_turns_every_cache_off(folder, tmp_path, monkeypatch):
    monkeypatch.setenv("FOURP_NO_CACHE", "1")
    cache = Counting(tmp_path / "cache")
    _run(folder, cache)
    load_pack()
    assert cache.stores == 0 and not os.path.exists(default_cache_dir())


def test_the_cross_plan_verdict_is_kept_only_while_every_plan_is_unchanged(folder, tmp_path, monkeypatch):
    import fourp.portfolio.evaluate

    judged = []
    real = fourp.portfolio.evaluate.evaluate_portfolio
    monkeypatch.setattr(fourp.portfolio.evaluate, "evaluate_portfolio",
                        lambda *a, **k: judged.append(1) or real(*a, **k))
    (folder / "broken.yaml").unlink()
    first = _run(folder, ResultsCache(tmp_path / "cache"))
    again = _run(folder, ResultsCache(tmp_path / "cache"))
    assert len(judged) == 1 and again.portfolio == first.portfolio
    shutil.copy(os.path.join(EXAMPLES, "sussex-copied-text.yaml"), folder)  # a plan added
    added = _run(folder, ResultsCache(tmp_path / "cache"))
    assert len(judged) == 2 and added.portfolio == _run(folder, None).portfolio
    later = _run(folder, ResultsCache(tmp_path / "cache"), as_of=AS_OF + dt.timedelta(days=1))
    assert len(judged) == 4 and later.portfolio["findings"] is not None


class Exploit:
    """Unpickled, it would create a file: what a planted pickle does."""

    def __init__(self, marker):
        self.marker = marker

    def __reduce__(self):
        return (open, (str(self.marker), "w"))


def test_a_planted_entry_never_runs_code_even_sealed_with_the_users_key(folder, tmp_path, monkeypatch):
    """Someone who can write to a (shared) cache folder cannot make fourp run code: rows are sealed with the
    user's own key, kept outside the cache, and one that is not is never decoded; and what is decoded is
    JSON, from which only a report's own data classes are built, so even a pickle sealed with the user's
    key (as an older fourp wrote them) runs nothing."""
    from fourp.cache import results as cache_module
    from fourp.cache import signing

    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.setattr(signing, "_key", None)
    monkeypatch.setattr(signing, "_key_for", None)
    first = _run(folder, ResultsCache(tmp_path / "shared-cache"))
    marker = tmp_path / "ran"
    exploit = zlib.compress(pickle.dumps(Exploit(marker)))
    db = index(tmp_path / "shared-cache")
    rows = db.execute("SELECT rowid, ctx, path, ident, digest, racy FROM plans ORDER BY path").fetchall()
    plants = [exploit,  # a bare pickle, as the unsealed cache stored them
              signing._MAGIC + b"\0" * 32 + exploit]  # a seal made without the key
    # a pickle sealed with the user's own key to exactly this row
    plants += [signing.seal(exploit, cache_module._binding(*row[1:])) for row in rows[2:]]
    for (rowid, *_), blob in zip(rows, plants):
        db.execute("UPDATE plans SET blob = ? WHERE rowid = ?", (blob, rowid))
    db.execute("UPDATE verdicts SET blob = ?", (signing.seal(exploit, b"portfolio\0" + db.execute(
        "SELECT key FROM verdicts").fetchone()[0].encode()),))
    db.close()
    cache = Counting(tmp_path / "shared-cache")
    again = _run(folder, cache)
    assert not marker.exists()
    assert cache.hits == 0 and cache.stores == 4
    _same(first, again)
    assert oct(os.stat(signing.key_path()).st_mode & 0o777) == "0o600"


def test_the_codec_builds_only_the_reports_own_data(folder, tmp_path):
    """What the cache decodes is JSON; a report comes back equal (its facts and each finding's file too),
    and anything that is not what `encode` writes is refused."""
    import json

    from fourp.cache.codec import Unkept, decode, encode
    from fourp.report import Report

    result = _run(folder, None)
    for report in result.reports:
        back = decode(encode(report))
        assert type(back) is Report and back == report and back.meta == report.meta
        assert [f.file for f in back.findings] == [f.file for f in report.findings]
        assert back.to_dict() == report.to_dict()
    for error in result.errors:
        assert decode(encode(error.to_dict())) == error.to_dict()
    for junk in (b"[]", b'["pickle", "x"]', b'["report", {}]', b'["report", [1, 2]]', b'["data", []]', b"\x80\x04"):
        with pytest.raises((ValueError, TypeError)):
            decode(junk)
    with pytest.raises(Unkept):  # a tuple would come back a list: not kept rather than kept changed
        encode({"kind": "portfolio", "portfolio": {"pair": (1, 2)}})
    with pytest.raises(Unkept):
        encode(Exploit(tmp_path / "x"))
    assert json.loads(encode(result.reports[0]))[0] == "report"


def test_a_pack_changed_in_memory_is_not_handed_the_results_of_the_pack_on_disk(folder, tmp_path):
    import dataclasses

    pack = load_pack()
    changed = dataclasses.replace(pack, rules=tuple(dataclasses.replace(r, enabled=False) if r.id == "lro-named"
                                                    else r for r in pack.rules))
    _run(folder, Counting(tmp_path / "cache"), pack=pack)
    cache = Counting(tmp_path / "cache")
    cached = _run(folder, cache, pack=changed)
    assert cache.hits == 0
    _same(cached, _run(folder, None, pack=changed))
    assert all(r.result("lro-named") is None for r in cached.reports)
    again = Counting(tmp_path / "cache")
    _same(_run(folder, again, pack=changed), cached)
    assert again.hits == 4  # the same compiled pack, in another process or run, still hits


def test_the_compiled_packs_digest_is_the_same_in_every_process():
    import subprocess
    import sys

    from fourp.cache.results import pack_digest

    code = "import fourp; from fourp.cache.results import pack_digest; print(pack_digest(fourp.load_pack()))"
    digests = {subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                              env=dict(os.environ, PYTHONHASHSEED=seed, **extra)).stdout.strip()
               for seed, extra in (("1", {}), ("2", {"FOURP_NO_CACHE": "1"}))}
    assert digests == {pack_digest(load_pack())}


@pytest.mark.parametrize("no_cache", [False, True], ids=["cache", "FOURP_NO_CACHE"])
def test_fourp_check_writes_only_what_the_readme_says(tmp_path, no_cache):
    """README, Safety: besides reports, only the cache folder's packs/ and templates/ and the config's key."""
    import subprocess
    import sys

    home, work = tmp_path / "home", tmp_path / "work"
    work.mkdir()
    env = dict(os.environ, HOME=str(home), XDG_CACHE_HOME=str(home / "cache"),
               XDG_CONFIG_HOME=str(home / "config"))
    env.pop("FOURP_NO_CACHE", None)
    if no_cache:
        env["FOURP_NO_CACHE"] = "1"
    done = subprocess.run([sys.executable, "-m", "fourp", "check", os.path.join(EXAMPLES, "good-plan.yaml"),
                           "--as-of", "2024-09-30"], cwd=work, env=env, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr

    def place(path):  # a cache entry by its folder (names are digests); anything else by its path
        parts = path.relative_to(home).parts
        return "/".join(parts[:3] if parts[:2] == ("cache", "fourp") else parts)

    written = {place(p) for p in home.rglob("*") if p.is_file()} if home.exists() else set()
    # The compiled templates are written only by a format a template renders (the text of a check is not).
    assert written == (set() if no_cache else {"cache/fourp/packs", "config/fourp/cache.key"})
    assert list(work.iterdir()) == []



def _counting_reads(monkeypatch):
    """Every read of a file through fourp's safe reader, by file name."""
    import collections

    import fourp.read.files

    reads = collections.Counter()
    real = fourp.read.files.read_file

    def read_file(path, limit):
        if os.path.basename(os.path.dirname(path)) == "plans":  # the pack, mappings and key are read too
            reads[os.path.basename(path)] += 1
        return real(path, limit)
    monkeypatch.setattr(fourp.read.files, "read_file", read_file)
    return reads


def test_a_plan_is_read_once_and_an_unchanged_one_not_at_all(folder, tmp_path, monkeypatch):
    from fourp.cache import results as cache_module

    monkeypatch.setattr(cache_module, "RACY_SECONDS", 0)  # the files were just written: see the next test
    reads = _counting_reads(monkeypatch)
    first = _run(folder, ResultsCache(tmp_path / "cache"))
    assert dict(reads) == {name: 1 for name in os.listdir(folder)}
    reads.clear()
    plan = folder / "good-plan.yaml"
    plan.write_text(plan.read_text(encoding="utf-8").replace("status: active", "status: closed"), encoding="utf-8")
    cache = Counting(tmp_path / "cache")
    again = _run(folder, cache)
    assert dict(reads) == {"good-plan.yaml": 1} and (cache.hits, cache.stores) == (3, 1)
    assert [r.status for r in again.reports if r.file.endswith("good-plan.yaml")] == ["closed"]
    _same(again, _run(folder, None))
    reads.clear()
    _same(_run(folder, ResultsCache(tmp_path / "cache")), again)
    assert not reads
    assert first.portfolio != {} and again.portfolio == _run(folder, None).portfolio


@pytest.mark.parametrize("racy", [True, False])
def test_a_change_its_times_cannot_show_is_caught_by_content_while_the_row_is_racy(folder, tmp_path, monkeypatch,
                                                                                   racy):
    """On a file system whose clock ticks coarsely a second write may leave size and times as they were:
    a row whose file had just changed when it was read is used only if the file still hashes the same.
    Without that check (racy=False) such a change would be missed: this is what the check is for."""
    from fourp.cache import results as cache_module

    monkeypatch.setattr(cache_module, "identity", lambda info: f"{info.st_size}")  # times and inode unseen
    if not racy:
        monkeypatch.setattr(cache_module, "RACY_SECONDS", 0)
    _run(folder, ResultsCache(tmp_path / "cache"))
    plan = folder / "good-plan.yaml"
    size = plan.stat().st_size
    plan.write_text(plan.read_text(encoding="utf-8").replace("status: active", "status: closed"), encoding="utf-8")
    assert plan.stat().st_size == size  # "closed" for "active": the same size
    cache = Counting(tmp_path / "cache")
    again = _run(folder, cache)
    status = next(r.status for r in again.reports if r.file.endswith("good-plan.yaml"))
    assert (status, cache.hits) == (("closed", 3) if racy else ("active", 4))


def test_plans_judged_again_with_the_other_plans_names_are_kept_with_the_cross_plan_verdict(tmp_path, monkeypatch):
    """sussex-copied-text.yaml names another example's threat, so the audit judges it again knowing that
    name (reading it again): kept under the cross-plan verdict's key, a re-audit of the unchanged folder
    reads no plan, and any change to any plan judges it afresh."""
    from fourp.cache import results as cache_module

    monkeypatch.setattr(cache_module, "RACY_SECONDS", 0)
    plans = tmp_path / "plans"
    shutil.copytree(EXAMPLES, plans, ignore=shutil.ignore_patterns("*.docx", "*.xlsx", "*.docm", "*.xlsm"))
    fresh = _run(plans, None)
    sussex = next(r for r in fresh.reports if r.file.endswith("sussex-copied-text.yaml"))
    _run(plans, ResultsCache(tmp_path / "cache"))
    reads = _counting_reads(monkeypatch)
    again = _run(plans, ResultsCache(tmp_path / "cache"))
    assert not reads
    _same(again, fresh)
    assert next(r for r in again.reports if r.file == sussex.file) == sussex
    other = plans / "good-plan.yaml"
    other.write_text(other.read_text(encoding="utf-8").replace("status: active", "status: closed"),
                     encoding="utf-8")
    changed = _run(plans, ResultsCache(tmp_path / "cache"))
    # the changed plan read once; the unchanged one read again only by the cross-plan rules (judged again
    # with the names, and its copied text quoted), which are worked out afresh
    assert reads["good-plan.yaml"] == 1 and reads["sussex-copied-text.yaml"] >= 1
    _same(changed, _run(plans, None))


def test_audits_sharing_a_cache_folder_at_once_all_keep_and_agree(folder, tmp_path, monkeypatch):
    """Four audits into one new cache folder at the same moment, with no key yet: each makes or opens the one
    index (and they agree on one key), none fails or is told the cache could not be used, all say the
    same, and the index ends whole and usable."""
    import subprocess
    import sys

    env = dict(os.environ, XDG_CACHE_HOME=str(tmp_path / "xdg"), XDG_CONFIG_HOME=str(tmp_path / "config"))
    env.pop("FOURP_NO_CACHE", None)
    command = [sys.executable, "-m", "fourp", "audit", str(folder), "--as-of", "2024-09-30", "--jobs", "1",
               "--format", "json", "--cache-dir", str(tmp_path / "cache")]
    runs = [subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE) for _ in range(4)]
    done = [(*run.communicate(timeout=600), run.returncode) for run in runs]
    done = [(code, out, err) for out, err, code in done]
    assert {code for code, _, _ in done} == {2}, done  # broken.yaml cannot be read, in each
    assert len({out for _, out, _ in done}) == 1
    assert not [err for _, _, err in done if b"cannot be used" in err], done
    assert ResultsCache(str(tmp_path / "cache")).entries() == 5
    from fourp.cache import signing

    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))  # their key: what they kept is ours to read
    signing.forget_key()
    from fourp.cache.store import cache_problems

    cache_problems()
    cache = Counting(tmp_path / "cache")
    _run(folder, cache)
    signing.forget_key()
    assert (cache.hits, cache.stores) == (4, 0), (cache_problems(), done)


def test_results_written_long_ago_and_an_older_fourps_entries_are_pruned(folder, tmp_path):
    import time

    from fourp.cache.results import MAX_AGE_DAYS

    cache = ResultsCache(tmp_path / "cache")
    _run(folder, cache)
    assert cache.prune(force=True) == 0 and cache.entries() == 5  # all written just now
    legacy = tmp_path / "cache" / "results" / "v2" / "ab"
    legacy.mkdir(parents=True)
    (legacy / ("ab" * 32)).write_bytes(b"an entry of the per-file cache")
    db = index(tmp_path / "cache")
    old = int(time.time()) - (MAX_AGE_DAYS + 1) * 86400
    [rowid] = [rowid for rowid, path in db.execute("SELECT rowid, path FROM plans") if path.endswith(b"good-plan.yaml")]
    db.execute("UPDATE plans SET stored = ? WHERE rowid = ?", (old, rowid))
    db.execute("UPDATE verdicts SET stored = ?", (old,))
    db.close()
    assert cache.prune() == 0  # at most once a day
    assert cache.prune(force=True) == 3  # one plan's row, the cross-plan verdict, the old entry file
    assert cache.entries() == 3 and not (tmp_path / "cache" / "results" / "v2").exists()
    counting = Counting(tmp_path / "cache")
    _same(_run(folder, counting), _run(folder, None))
    assert (counting.hits, counting.stores) == (3, 1)


def test_a_process_that_found_no_key_never_replaces_the_one_another_has_just_made(tmp_path, monkeypatch):
    # Audits starting at once: B reads no key, A makes one and seals with it, then B goes to write its own.
    # B must take A's (replacing it made every row A kept unreadable: a re-audit then found nothing).
    from fourp.cache import signing

    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    signing.forget_key()
    made_by_a = signing._load_key()
    assert made_by_a is not None
    signing._write_key(signing.key_path())  # B, a moment late
    signing.forget_key()
    assert signing._load_key() == made_by_a
    with open(signing.key_path(), "wb"):  # an empty key, as a full disk leaves it, is still replaced
        pass
    signing._write_key(signing.key_path())
    signing.forget_key()
    assert signing._load_key() not in (None, made_by_a)
    signing.forget_key()
