"""Ingest: source name → read → map → atomic load, one named graph per snapshot."""

from __future__ import annotations

import html
import importlib
import inspect
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from tqdm.auto import tqdm

from ptmkg.errors import PtmkgError, UnknownNameError
from ptmkg.mapping.terms import Triples
from ptmkg.sources.base import SourceData
from ptmkg.store_view import STAGED

if TYPE_CHECKING:
    from ptmkg.store import GraphStore


@dataclass(frozen=True)
class Ingestor:
    """One ingestible source: where its reader and mapper live, and which shared folders it reads."""

    name: str
    description: str
    source_module: str
    mapping_module: str
    shared_dirs: tuple[str, ...] = field(default=())

    def read(self, path: Path | None, **options: object) -> SourceData:
        """Read the input into typed frames (raises InputError on bad input, PtmkgError on an option
        the source does not take)."""
        reader = importlib.import_module(self.source_module).read
        takes = inspect.signature(reader).parameters
        if not any(p.kind is p.VAR_KEYWORD for p in takes.values()):
            for option in options:
                if option not in takes:
                    flag = "--" + option.replace("_", "-")
                    raise PtmkgError(f"source '{self.name}' does not take {flag}")
        return reader(path, **options)

    def map(self, data: SourceData) -> Triples:
        """Map the frames to triples."""
        return importlib.import_module(self.mapping_module).to_triples(data)


INGESTORS: dict[str, Ingestor] = {
    i.name: i
    for i in [
        Ingestor("starter", "the starter snapshot shipped with ptmkg (Hub facts, no free text)",
                 "ptmkg.sources.starter", "ptmkg.mapping.huggingface"),
        Ingestor("starter-carbon", "the starter snapshot's carbon reports (Hub co2_eq_emissions facts, 2026)",
                 "ptmkg.sources.starter_carbon", "ptmkg.mapping.hf_carbon"),
        Ingestor("queries", "the canned-query collection (queries/*.rq) as SPARQL executables",
                 "ptmkg.sources.query_files", "ptmkg.mapping.query_files"),
        Ingestor("hf", "Hugging Face Hub model records: JSON Lines, family-tree CSVs, or --live",
                 "ptmkg.sources.huggingface", "ptmkg.mapping.huggingface", ("hf-lineage",)),
        Ingestor("hf-carbon", "Hub carbon reports: Castaño et al. ESEM'23 (2023) and the April 2026 re-extraction",
                 "ptmkg.sources.hf_carbon", "ptmkg.mapping.hf_carbon", ("hf-carbon", "hf-carbon-2026")),
        Ingestor("counting-carbon", "Luccioni & Hernández-García 'Counting Carbon': 95 models' training energy and CO2eq",
                 "ptmkg.sources.counting_carbon", "ptmkg.mapping.counting_carbon", ("counting-carbon",)),
        Ingestor("ptlm-versioning", "Ajibode et al.: 52,227 PTLMs, variant types, version pairs, file-change counts",
                 "ptmkg.sources.ptlm_versioning", "ptmkg.mapping.ptlm_versioning", ("ptlm-versioning",)),
        Ingestor("esem24", "ESEM'24 HF review: June 2022 monthly downloads (PeaTMOSS_ANCIENT), descendants vs downloads",
                 "ptmkg.sources.esem24", "ptmkg.mapping.esem24", ("hf-slr-esem24",)),
        Ingestor("hf-extraction", "HF metadata extraction: 50 hand-labelled vs 500 automatically extracted records",
                 "ptmkg.sources.hf_extraction", "ptmkg.mapping.hf_extraction", ("hf-metadata-extraction",)),
        Ingestor("fairjupyter", "FAIR Jupyter: PubMed Central articles, journals, authors, MeSH, GitHub repos, notebooks",
                 "ptmkg.sources.fairjupyter", "ptmkg.mapping.fairjupyter", ("fairjupyter",)),
        Ingestor("ptmtorrent", "PTMTorrent packages: ONNX Model Zoo and PyTorch Hub models (owners, tasks, papers, datasets)",
                 "ptmkg.sources.ptmtorrent", "ptmkg.mapping.ptmtorrent", ("ptmtorrent",)),
        Ingestor("peatmoss", "PeaTMOSS SQLite database: PTMs, the GitHub repositories reusing them, papers, licences",
                 "ptmkg.sources.peatmoss", "ptmkg.mapping.peatmoss"),
        Ingestor("literature", "systematic-review coding sheets (CSV): papers' code/model/data sharing and reported training",
                 "ptmkg.sources.literature", "ptmkg.mapping.literature"),
    ]
}


def get_ingestor(name: str) -> Ingestor:
    """The ingestor called ``name``."""
    if name not in INGESTORS:
        raise UnknownNameError("source", name, list(INGESTORS))
    return INGESTORS[name]


@dataclass(frozen=True)
class IngestResult:
    """What one ingest did."""

    source: str
    graph: str
    triples: int
    loaded: bool
    seconds: float

    def __str__(self) -> str:
        state = f"loaded {self.triples:,} triples in {self.seconds:.1f} s" if self.loaded else \
            f"already loaded ({self.triples:,} triples; same content)"
        return f"{self.source}: {state} -> {self.graph}"

    def _repr_html_(self) -> str:
        return f"<code>{html.escape(str(self))}</code>"


def ingest(store: GraphStore, source: str, path: str | Path | None = None, *, force: bool = False,
           **options: object) -> IngestResult:
    """Ingest one snapshot of ``source``; the same content is loaded once unless ``force``."""
    ingestor = get_ingestor(source)
    t0 = time.perf_counter()
    data = ingestor.read(Path(path) if path is not None else None, **options)
    info = data.snapshot
    existing = store.find_snapshot(info.source, info.content_hash)
    if existing and not force and not existing.endswith(STAGED):  # (a staged one: a replace was stopped)
        count = int(store.snapshots().filter(graph=existing)["triples"][0])
        return IngestResult(info.source, existing, count, False, time.perf_counter() - t0)
    with tempfile.TemporaryDirectory(prefix="ptmkg-") as tmp:
        nt = Path(tmp) / "snapshot.nt"
        written = ingestor.map(data).write_ntriples(nt)
        del data  # the frames are not needed during the bulk load
        try:
            if existing:
                count = store.replace_ntriples(info, nt, triples=written, previous=existing)
            else:
                count = store.load_ntriples(info, nt, triples=written)
        except SyntaxError as e:  # a mapped term the store rejects (the load was undone): one line, not a trace
            line = e.lineno and nt.read_text(errors="replace").splitlines()[e.lineno - 1][:160]
            raise PtmkgError(f"{info.source} ({', '.join(info.files) or path}): the store rejects a mapped term "
                             f"({str(e.msg).splitlines()[0]}) in {line!r}; nothing was loaded") from None
    return IngestResult(info.source, info.graph, count, True, time.perf_counter() - t0)


def ingest_all(store: GraphStore, folder: str | Path,
               on_result: Callable[[IngestResult], None] | None = None) -> list[IngestResult]:
    """Ingest every source whose folder (see ``Ingestor.shared_dirs``) exists under ``folder``, then
    optimize the store if anything was loaded."""
    folder = Path(folder)
    jobs = [(i, folder / d) for i in INGESTORS.values() for d in i.shared_dirs if (folder / d).exists()]
    if not jobs:
        raise PtmkgError(f"no known source folder under {folder}")
    results = []
    for ingestor, path in tqdm(jobs, desc="sources", unit="source"):
        result = ingest(store, ingestor.name, path)
        results.append(result)
        if on_result:
            on_result(result)
    if any(r.loaded for r in results):
        store.optimize()
    return results
