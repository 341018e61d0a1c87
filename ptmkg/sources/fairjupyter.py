"""FAIR Jupyter tables (fusion-jena/fairjupyter): PubMed Central articles → GitHub repositories → notebooks.

Reads the eight public CSV tables (``article``, ``articlemesh``, ``author``, ``cell_features``,
``journal``, ``notebook_features``, ``repositories``, ``repository_data``) from a folder (the
folder itself or its ``data/`` subfolder) into typed frames. No code text is kept: cell features
are aggregated per notebook into counts and feature kinds.

Notebook ids: the tables give cell features by ``notebook_id`` but no notebook table. The ids are
assigned consecutively over repositories in ``id`` order and, within a repository, in the order
of its ``notebooks`` list; :func:`read` checks that every feature row's id falls in its
repository's id range (and raises :class:`InputError` otherwise) before attaching it to a path.
"""

from __future__ import annotations

from pathlib import Path

import polars as pl

from ptmkg import releases
from ptmkg.errors import InputError
from ptmkg.snapshot import SnapshotInfo, content_hash
from ptmkg.sources.base import SourceData, cast_checked, read_csv, require_columns

SOURCE_URL = "https://github.com/fusion-jena/fairjupyter"
LICENCE = "http://spdx.org/licenses/GPL-3.0-only"

COLUMNS: dict[str, list[str]] = {
    "article": ["id", "journal_id", "name", "pmid", "pmc", "doi", "published_date", "received_date",
                "accepted_date", "license_type", "keywords"],
    "articlemesh": ["article_id", "meshid", "mesh_label", "toplevelmeshid", "toplevelmeshlabel"],
    "author": ["name", "given_names", "orcid", "article_id"],
    "cell_features": ["repository_id", "notebook_id", "cell_id", "feature_name"],
    "journal": ["id", "name", "nlm_ta", "issn_epub", "publisher_name"],
    "notebook_features": ["repository_id", "notebook_id", "skip"],
    "repositories": ["id", "article_id", "domain", "repository", "commit", "notebooks_count", "setups_count",
                     "requirements_count", "notebooks"],
    "repository_data": ["repository_id", "created_at", "updated_at", "pushed_at", "language",
                        "stargazers_count", "forks_count", "license_name", "license_key"],
}
INT = pl.Int64
CASTS: dict[str, dict[str, pl.DataType]] = {
    "article": {"id": INT, "journal_id": INT},
    "articlemesh": {"article_id": INT},
    "author": {"article_id": INT},
    "cell_features": {"repository_id": INT, "notebook_id": INT, "cell_id": INT},
    "journal": {"id": INT},
    "notebook_features": {"repository_id": INT, "notebook_id": INT, "skip": INT},
    "repositories": {"id": INT, "article_id": INT, "notebooks_count": INT, "setups_count": INT,
                     "requirements_count": INT},
    "repository_data": {"repository_id": INT, "stargazers_count": INT, "forks_count": INT},
}


def _folder(path: Path | None) -> Path:
    if path is None:
        raise InputError("fairjupyter", "give the folder holding the FAIR Jupyter CSV tables")
    return path / "data" if (path / "data" / "article.csv").exists() else path


def _table(folder: Path, name: str) -> pl.DataFrame:
    file = folder / f"{name}.csv"
    if not file.exists():
        raise InputError(str(file), "missing table")
    frame = read_csv(file)
    require_columns(frame, COLUMNS[name], file)
    frame = cast_checked(frame, CASTS[name], file)
    return frame.with_columns(pl.col(pl.String).str.strip_chars().replace("", None))


def _parse_times(frame: pl.DataFrame, cols: list[str], file: Path, fmt: str = "%Y-%m-%d %H:%M:%S") -> pl.DataFrame:
    """Parse dates (``fmt`` without a time) or UTC timestamps, naming the first bad value."""
    for col in cols:
        parsed = (pl.col(col).str.to_datetime(fmt, strict=False, time_zone="UTC") if "%H" in fmt
                  else pl.col(col).str.to_date(fmt, strict=False))
        bad = frame.select(pl.arg_where(pl.col(col).is_not_null() & parsed.is_null()).first()).item()
        if bad is not None:
            raise InputError(str(file), f"cannot read {frame[col][bad]!r} as {fmt}", row=bad + 2, field=col)
        frame = frame.with_columns(parsed.alias(col))
    return frame


def _notebooks(repos: pl.DataFrame, features: pl.DataFrame, cells: pl.DataFrame, folder: Path) -> pl.DataFrame:
    """One row per listed notebook: repository, path, FAIR Jupyter id, analysed flag, feature counts.

    A notebook counts as analysed when it has a non-skipped ``notebook_features`` row or any cell feature.
    """
    ranges = repos.sort("id").select(
        pl.col("id").alias("repository_id"),
        (pl.col("notebooks_count").cum_sum() - pl.col("notebooks_count")).alias("offset"),
        "notebooks_count",
        pl.col("notebooks").str.replace_all(".ipynb;", ".ipynb\x00", literal=True).str.split("\x00").alias("path"),
    )
    for name, frame in (("notebook_features", features), ("cell_features", cells)):
        outside = frame.join(ranges, on="repository_id", how="left").filter(
            pl.col("offset").is_null() | (pl.col("notebook_id") <= pl.col("offset"))
            | (pl.col("notebook_id") > pl.col("offset") + pl.col("notebooks_count")))
        if outside.height:
            row = outside.row(0, named=True)
            raise InputError(str(folder / f"{name}.csv"), f"notebook {row['notebook_id']} is outside the id range "
                             f"of repository {row['repository_id']}", field="notebook_id")
    listed = (ranges.explode("path").drop_nulls("path")
              .with_columns((pl.col("offset") + pl.int_range(1, pl.len() + 1).over("repository_id")).alias("notebook_id")))
    per_nb = cells.group_by("notebook_id").agg(
        pl.len().alias("feature_uses"), pl.col("cell_id").n_unique().alias("feature_cells"),
        pl.col("feature_name").str.replace(r"^IPython/", "").unique().sort().alias("feature_kinds"))
    analysed = pl.concat([features.filter(pl.col("skip") == 0).select("notebook_id"),
                          cells.select("notebook_id")]).unique()
    return (listed.select("repository_id", "notebook_id", "path")
            .join(analysed.with_columns(pl.lit(True).alias("analysed")), on="notebook_id", how="left")
            .join(per_nb, on="notebook_id", how="left")
            .with_columns(pl.col("analysed").fill_null(False))
            .with_columns(pl.when(pl.col("analysed")).then(pl.col(c).fill_null(0)).alias(c)
                          for c in ["feature_uses", "feature_cells"]))


def read(path: Path | None, **options: object) -> SourceData:
    """Read the FAIR Jupyter tables under ``path`` into frames.

    Frames: ``articles``, ``journals``, ``authors``, ``mesh``, ``repositories`` (with GitHub metadata),
    ``notebooks``. Options: ``version`` (default: the release, ``68c3319``, when every table is the published
    one, else ``local copy``; see :mod:`ptmkg.releases`), ``retrieved`` (default: the day of the latest GitHub
    ``updated_at``/``pushed_at`` in ``repository_data``, i.e. when the metadata was crawled).
    """
    folder = _folder(path)
    t = {name: _table(folder, name) for name in COLUMNS}
    data = _parse_times(t["repository_data"], ["created_at", "updated_at", "pushed_at"],
                        folder / "repository_data.csv")
    articles = _parse_times(t["article"], ["published_date", "received_date", "accepted_date"],
                            folder / "article.csv", "%Y-%m-%d").with_columns(
        pl.col("keywords").str.split(";").list.eval(pl.element().str.strip_chars().filter(pl.element() != "")))
    repos = t["repositories"]
    repositories = repos.drop("notebooks").join(
        data.select("repository_id", "created_at", "updated_at",
                    pl.col("language").str.extract(r"^\{\s*'([^']+)'", 1).alias("language"),
                    pl.col("stargazers_count").alias("stars"), pl.col("forks_count").alias("forks"),
                    "license_key", "license_name"),
        left_on="id", right_on="repository_id", how="left")
    notebooks = _notebooks(repos, t["notebook_features"], t["cell_features"], folder)
    crawled = data.select(pl.max_horizontal(pl.col("updated_at").max(), pl.col("pushed_at").max())).item()
    retrieved = str(options.get("retrieved") or (crawled.date().isoformat() if crawled else "unknown"))
    files = sorted(folder / f"{name}.csv" for name in COLUMNS)
    version = options.get("version") or releases.version(
        "fairjupyter", files, rows={f"{name}.csv": frame.height for name, frame in t.items()})
    snapshot = SnapshotInfo(source="fairjupyter", version=str(version),
                            retrieved=retrieved, source_url=SOURCE_URL, content_hash=content_hash(files),
                            licence=LICENCE, files=tuple(f.name for f in files))
    return SourceData(snapshot, {
        "articles": articles, "journals": t["journal"], "authors": t["author"], "mesh": t["articlemesh"],
        "repositories": repositories, "notebooks": notebooks,
    })
