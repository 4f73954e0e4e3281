"""A sampled mutation run of ``ips_fake/core`` and ``ips_fake/soap``: the share of mutants killed.

Run with ``python -m benchmarks.mutation_score`` after ``pip install -e '.[test,mutation]'``
(options: ``--sample N`` mutants, default 200; ``--seed S``, default 14; ``--jobs J`` workers,
default 2; ``--results FILE`` keeps each mutant's outcome as a JSON line, and a second run with
the same file runs only the mutants not in it yet; ``--survivors FILE`` writes every surviving
mutant's diff; ``--revision REV`` mutates and tests a committed revision instead of the
working tree, e.g. to score the suite before a change). It is run on demand, never in CI: a
sample of 200 takes 15 to 60 minutes on two cores, depending on what else they run.

How it works, with cosmic-ray (https://cosmic-ray.readthedocs.io) as the mutation engine:

- each worker gets its own copy of the checkout (:data:`COPIED`) in a temporary folder, so
  mutating files never touches the working tree and two workers never see each other's mutant;
  the tests run with that copy first on ``PYTHONPATH``;
- cosmic-ray's ``init`` lists every mutant of every module of core and soap (all its operators),
  less those inside type annotations, which are never evaluated (:func:`annotation_spans`);
  the sample is the ``N`` mutants with the smallest hash of (seed, module, operator,
  occurrence): a uniform sample, so the score estimates the score of all mutants, and a stable
  one, so editing one function leaves the sampled mutants elsewhere as they were;
- each mutant is applied to the worker's copy and only the tests of its layer run
  (:data:`TESTS_OF_LAYER`: its test folders and its doctests), with ``-x`` so a killed mutant
  stops at its first failing test;
- an unmutated run of each layer's tests comes first: if it fails, the run stops (every mutant
  would count as killed otherwise).

It prints, per module and in total, the mutants sampled, killed and survived, and the score
(killed / (killed + survived)); a survivor listed in :data:`EQUIVALENT` (shown to change
nothing observable, with the reason) is counted apart, left out of the score and listed, and
the score with it counted as a survivor is printed too; a test run past
:data:`TIMEOUT_SECONDS` counts as killed, as cosmic-ray counts it. Mutations cosmic-ray cannot
apply (rare) are left out of the score.
"""

from __future__ import annotations

import argparse
import ast
import hashlib
import json
import shutil
import subprocess
import sys
import tempfile
import threading
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from queue import Queue
from typing import Any

REPO = Path(__file__).resolve().parent.parent
COPIED = ("ips_fake", "tests", "fixtures", "contracts", "pyproject.toml", "conftest.py")
LAYERS = ("core", "soap")
# the tests that pin each layer: the core's own unit tests, and for soap its unit tests and the
# wire tests that drive the SOAP endpoint end to end
TESTS_OF_LAYER = {
    "core": ("tests/core", "ips_fake/core"),
    # the SOAP attacks of tests/hostile (the MustUnderstand fault is pinned there)
    "soap": ("tests/soap", "tests/wsgi", "tests/hostile/test_wire_attacks.py", "ips_fake/soap"),
}
#: Mutants shown to change nothing observable: ("module:operator", the text the mutant's added
#: line must hold, why it is equivalent). The text is compared without spaces; a mutant of
#: that module and operator whose diff does not hold it is not excused, so an edit that moves
#: or renumbers code keeps the entry meaning the same mutant. They are still run; a survivor
#: among them is reported as equivalent and left out of the score, a killed one counts as
#: killed (and the entry should go).
EQUIVALENT: tuple[tuple[str, str, str], ...] = (
    (
        "ips_fake/core/runs.py:core/ReplaceTrueWithFalse",
        "@dataclass(eq=False, slots=False)",
        "Run without __slots__: only memory use changes",
    ),
    (
        "ips_fake/core/cron_fields.py:core/ReplaceTrueWithFalse",
        "@dataclass(frozen=False)",
        "_DaysOfWeek made mutable: nothing assigns to it, and eq=True with frozen=False only "
        "drops __hash__, which nothing uses",
    ),
    (
        "ips_fake/core/cron.py:core/ReplaceFalseWithTrue",
        "_hours: tuple[int, ...] = field(init=False, repr=True, compare=False)",
        "the private parsed hours in a repr that no answer or message shows",
    ),
    (
        "ips_fake/core/runs.py:core/NumberReplacer",
        "for segment in self.segments[0:]:",
        "the loop starts from segments[0], which is already the chosen one",
    ),
    (
        "ips_fake/core/cron_fields.py:core/ReplaceComparisonOperator_Eq_LtE",
        "elif weekday <= 1:",
        "Quartz weekdays are 1-7, so <= 1 is == 1",
    ),
    (
        "ips_fake/core/runs.py:core/ReplaceComparisonOperator_Lt_NotEq",
        "0.0 < fraction != 1.0",
        "an item's fraction is at most 1.0, so != 1.0 is < 1.0",
    ),
    (
        "ips_fake/core/service.py:core/NumberReplacer",
        "run_handle(parsed.company_id, parsed.name, -1, HandleStyle.LEGACY)",
        "the legacy handle style leaves the run id out, so -1 builds the same handle as 0",
    ),
    (
        "ips_fake/soap/envelope.py:core/ReplaceBinaryOperator_Add_BitAnd",
        "inflater.decompress(data, MAX_REQUEST_BYTES & 1)",
        "MAX_REQUEST_BYTES is even, so & 1 is 0, which zlib reads as no limit; the size check "
        "after inflating refuses the same bodies (only peak memory changes)",
    ),
    (
        "ips_fake/core/cron_fields.py:core/ReplaceComparisonOperator_Eq_Is",
        'if token is "?":',
        "CPython keeps one object per one-character string, so a token equal to '?' is '?' "
        "(tests/core/test_pinned_mutants.py pins the behaviour)",
    ),
    (
        "ips_fake/core/cron_fields.py:core/ReplaceComparisonOperator_Eq_Is",
        'if dow is "*":',
        "CPython keeps one object per one-character string, so a field equal to '*' is '*' "
        "(tests/core/test_pinned_mutants.py pins the behaviour)",
    ),
)
TIMEOUT_SECONDS = 180.0


@dataclass(frozen=True)
class Outcome:
    """What became of one sampled mutant."""

    key: str  # "module:operator:occurrence", e.g. "ips_fake/core/cron.py:core/AddNot:3"
    module: str  # path relative to the checkout, e.g. "ips_fake/core/cron.py"
    killed: bool | None  # None: cosmic-ray could not apply the mutation
    diff: str


def mutant_key(item: Any, copy: Path) -> str:
    """The mutant's name, the same in every copy of the checkout."""
    mutation = item.mutations[0]
    module = Path(mutation.module_path).relative_to(copy)
    return f"{module}:{mutation.operator_name}:{mutation.occurrence}"


def sample_of(mutants: list[Any], copy: Path, size: int, seed: int) -> list[Any]:
    """The ``size`` mutants with the smallest hash of (seed, key): uniform and stable."""

    def rank(item: Any) -> str:
        return hashlib.sha256(f"{seed}:{mutant_key(item, copy)}".encode()).hexdigest()

    return sorted(mutants, key=rank)[:size]


def pytest_command(copy: Path, layer: str) -> str:
    """The shell-free command that runs ``layer``'s tests against the copy at ``copy``: from inside
    the copy, since ``python -m`` puts the working directory first on ``sys.path``."""
    tests = " ".join(str(copy / path) for path in TESTS_OF_LAYER[layer])
    return (
        f"env --chdir={copy} PYTHONPATH={copy} {sys.executable} -m pytest -q -x "
        f"-p no:cacheprovider -p no:randomly --rootdir={copy} -c {copy / 'pyproject.toml'} {tests}"
    )


def make_copy(into: Path, revision: str | None) -> Path:
    """Copy what the tests need into ``into`` (from the working tree, or from git's
    ``revision``) and return it."""
    if revision is not None:
        into.mkdir(parents=True)
        listed = subprocess.run(
            ["git", "-C", str(REPO), "ls-tree", "--name-only", revision],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.split()
        archive = subprocess.run(
            ["git", "-C", str(REPO), "archive", revision, *(n for n in COPIED if n in listed)],
            capture_output=True,
            check=True,
        )
        subprocess.run(["tar", "-x", "-C", str(into)], input=archive.stdout, check=True)
        return into
    ignore = shutil.ignore_patterns("__pycache__", "node_modules", "*.pyc")
    for name in COPIED:
        source = REPO / name
        if source.is_dir():
            shutil.copytree(source, into / name, ignore=ignore)
        else:
            shutil.copy2(source, into / name)
    return into


def all_mutants(copy: Path) -> list[Any]:
    """Every cosmic-ray work item of core and soap in ``copy``, in a stable order."""
    from cosmic_ray.commands import init
    from cosmic_ray.config import ConfigDict
    from cosmic_ray.work_db import WorkDB, use_db

    modules = sorted(path for layer in LAYERS for path in (copy / "ips_fake" / layer).glob("*.py"))
    with (
        tempfile.TemporaryDirectory() as folder,
        use_db(str(Path(folder) / "session.sqlite"), WorkDB.Mode.create) as database,
    ):
        init(modules, database, ConfigDict().get("operators", {}))
        items = list(database.work_items)
    spans = {module: annotation_spans(module) for module in modules}
    return sorted(
        (
            item
            for item in items
            if not inside(item.mutations[0].start_pos, spans[Path(item.mutations[0].module_path)])
        ),
        key=lambda item: (
            str(item.mutations[0].module_path),
            item.mutations[0].operator_name,
            item.mutations[0].occurrence,
        ),
    )


Span = tuple[tuple[int, int], tuple[int, int]]


def annotation_spans(module: Path) -> list[Span]:
    """Where ``module``'s annotations are, as ((line, column), (end line, end column)).
    Every module of ips_fake starts with ``from __future__ import annotations``, so an
    annotation is never evaluated and a mutant inside one (``str | None`` made
    ``str + None``) cannot be killed: such mutants are left out."""
    spans: list[Span] = []
    for node in ast.walk(ast.parse(module.read_text(encoding="utf-8"))):
        annotations: list[ast.expr | None] = []
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            annotations.append(node.returns)
        elif isinstance(node, ast.arg | ast.AnnAssign):
            annotations.append(node.annotation)
        for annotation in annotations:
            if annotation is not None and annotation.end_lineno is not None:
                start = (annotation.lineno, annotation.col_offset)
                end = (annotation.end_lineno, annotation.end_col_offset or 0)
                spans.append((start, end))
    return spans


def inside(position: tuple[int, int], spans: list[Span]) -> bool:
    """Whether a (line, column) position falls inside one of ``spans``."""
    return any(start <= tuple(position) < end for start, end in spans)


def relocated(item: Any, copy_from: Path, copy_to: Path) -> list[Any]:
    """``item``'s mutations with their module paths moved from one copy to another."""
    from cosmic_ray.work_item import MutationSpec

    moved = []
    for mutation in item.mutations:
        relative = Path(mutation.module_path).relative_to(copy_from)
        moved.append(
            MutationSpec(
                module_path=copy_to / relative,
                operator_name=mutation.operator_name,
                operator_args=mutation.operator_args,
                occurrence=mutation.occurrence,
                start_pos=mutation.start_pos,
                end_pos=mutation.end_pos,
                definition_name=mutation.definition_name,
            )
        )
    return moved


def main(argv: list[str] | None = None) -> int:
    """Run the sampled mutation run and print the score; 1 when an unmutated run fails."""
    from cosmic_ray.mutating import mutate_and_test
    from cosmic_ray.testing import run_tests
    from cosmic_ray.work_item import TestOutcome, WorkerOutcome

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sample", type=int, default=200, help="mutants to run (default 200)")
    parser.add_argument("--seed", type=int, default=14, help="the sample's seed (default 14)")
    parser.add_argument("--jobs", type=int, default=2, help="parallel workers (default 2)")
    parser.add_argument("--revision", help="a git revision to score instead of the working tree")
    parser.add_argument("--results", type=Path, help="JSON lines of outcomes; resumes from it")
    parser.add_argument("--survivors", type=Path, help="write each surviving mutant's diff here")
    options = parser.parse_args(argv)

    with tempfile.TemporaryDirectory(prefix="ips-fake-mutation-") as scratch:
        copies: Queue[Path] = Queue()
        for index in range(options.jobs):
            copies.put(make_copy(Path(scratch) / f"copy{index}", options.revision))
        first = copies.queue[0]
        for layer in LAYERS:
            outcome, output = run_tests(pytest_command(first, layer), TIMEOUT_SECONDS * 3)
            if outcome != TestOutcome.SURVIVED:
                print(f"the unmutated {layer} tests fail; fix them first:\n{output}")
                return 1
        mutants = all_mutants(first)
        sample = sample_of(mutants, first, options.sample, options.seed)
        known = read_results(options.results)
        outcomes = [known[key] for item in sample if (key := mutant_key(item, first)) in known]
        pending = [item for item in sample if mutant_key(item, first) not in known]
        print(
            f"{len(mutants)} mutants in core and soap; running a sample of {len(sample)} "
            f"(seed {options.seed}, {options.jobs} workers); {len(outcomes)} known from before",
            flush=True,
        )
        done = Counter[str]()
        lock = threading.Lock()

        def run_one(item: Any) -> Outcome:
            copy = copies.get()
            try:
                mutations = relocated(item, first, copy)
                module = str(Path(mutations[0].module_path).relative_to(copy))
                layer = module.split("/")[1]
                result = mutate_and_test(mutations, pytest_command(copy, layer), TIMEOUT_SECONDS)
            finally:
                copies.put(copy)
            if result.worker_outcome != WorkerOutcome.NORMAL:
                killed = None
            else:
                killed = result.test_outcome == TestOutcome.KILLED
            outcome = Outcome(mutant_key(item, first), module, killed, result.diff or "")
            with lock:
                done["all"] += 1
                if done["all"] % 20 == 0:
                    print(f"  {done['all']}/{len(pending)} run", flush=True)
                if options.results is not None:
                    with options.results.open("a", encoding="utf-8") as stream:
                        stream.write(json.dumps(outcome.__dict__) + "\n")
            return outcome

        with ThreadPoolExecutor(max_workers=options.jobs) as pool:
            outcomes += pool.map(run_one, pending)

    report(outcomes, options.survivors)
    return 0


def read_results(path: Path | None) -> dict[str, Outcome]:
    """The outcomes a previous run wrote to ``path``, by mutant key."""
    if path is None or not path.exists():
        return {}
    lines = path.read_text(encoding="utf-8").splitlines()
    return {(o := Outcome(**json.loads(line))).key: o for line in lines if line.strip()}


def equivalence_of(outcome: Outcome) -> str | None:
    """Why ``outcome``'s mutant is equivalent, from :data:`EQUIVALENT`; None when it is not
    listed for its module and operator, or its diff holds none of the listed texts."""
    where = outcome.key.rsplit(":", 1)[0]
    entries = [(text, reason) for place, text, reason in EQUIVALENT if place == where]
    if not entries:
        return None
    added = [
        "".join(line[1:].split())
        for line in outcome.diff.splitlines()
        if line.startswith("+ ") or (line.startswith("+") and not line.startswith("+++"))
    ]
    for text, reason in entries:
        wanted = "".join(text.split())
        if any(wanted in line for line in added):
            return reason
    return None
    return reason


def report(outcomes: list[Outcome], survivors_file: Path | None) -> None:
    """Print the per-module and total score; write the survivors' diffs when asked. A
    survivor listed in :data:`EQUIVALENT` is counted apart and left out of the score; the
    score with it counted as a survivor is printed too."""
    rows: dict[str, Counter[str]] = {}
    equivalent: list[tuple[Outcome, str]] = []
    for outcome in outcomes:
        row = rows.setdefault(outcome.module, Counter())
        reason = equivalence_of(outcome) if outcome.killed is False else None
        if reason is not None:
            equivalent.append((outcome, reason))
            row["equivalent"] += 1
            continue
        row[{True: "killed", False: "survived", None: "not applied"}[outcome.killed]] += 1
    print(f"{'module':<32} {'killed':>7} {'survived':>9} {'equiv.':>7} {'score':>7}")
    total = Counter[str]()
    for module in sorted(rows):
        row = rows[module]
        total.update(row)
        print(
            f"{module:<32} {row['killed']:>7} {row['survived']:>9} {row['equivalent']:>7} "
            f"{score(row):>7}"
        )
    print(
        f"{'total':<32} {total['killed']:>7} {total['survived']:>9} {total['equivalent']:>7} "
        f"{score(total):>7}"
    )
    if total["equivalent"]:
        counted = Counter(killed=total["killed"], survived=total["survived"] + total["equivalent"])
        print(f"(with the equivalent mutants counted as survivors: {score(counted)})")
        for outcome, reason in equivalent:
            print(f"  equivalent {outcome.key}: {reason}")
    if total["not applied"]:
        print(f"({total['not applied']} mutants could not be applied and are left out)")
    survivors = [
        outcome
        for outcome in outcomes
        if outcome.killed is False and all(outcome is not seen for seen, _ in equivalent)
    ]
    if survivors_file is not None:
        survivors_file.write_text("\n".join(outcome.diff for outcome in survivors), "utf-8")
        print(f"{len(survivors)} surviving mutants written to {survivors_file}")


def score(row: Counter[str]) -> str:
    """killed / (killed + survived) as a percentage with one decimal."""
    tried = row["killed"] + row["survived"]
    return f"{100 * row['killed'] / tried:.1f} %" if tried else "-"


if __name__ == "__main__":
    sys.exit(main())
