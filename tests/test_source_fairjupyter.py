"""FAIR Jupyter source: real-data counts vs polars over the raw CSVs, canned queries, bad input."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest

from ptmkg import KG
from ptmkg.errors import InputError
from tests.conftest import shared_path

MESH = "https://w3id.org/ptmkg/id/subject/mesh/"


@pytest.fixture(scope="module")
def raw() -> dict[str, pl.DataFrame]:
    folder = shared_path("data", "fairjupyter", "data")
    return {p.stem: pl.read_csv(p, infer_schema=False) for p in folder.glob("*.csv")}


@pytest.fixture(scope="module")
def kg() -> KG:
    kg = KG.memory()
    kg.ingest("fairjupyter", shared_path("data", "fairjupyter"))
    return kg


def _slug(col: str) -> pl.Expr:
    return pl.col(col).str.to_lowercase().str.replace_all(r"[^\w.\-]+", "-").str.strip_chars("-")


def _repos(raw: dict[str, pl.DataFrame]) -> pl.DataFrame:
    """Repository rows keyed like GitHub (case-insensitive), with the repo's largest notebook count."""
    r = raw["repositories"].with_columns(key=pl.col("repository").str.to_lowercase(),
                                         nb=pl.col("notebooks_count").cast(pl.Int64))
    return r.with_columns(max_nb=pl.col("nb").max().over("key"))


def _as_dict(frame: pl.DataFrame, key: str, value: str) -> dict:
    return dict(zip(frame[key].to_list(), frame[value].to_list()))


def test_snapshot_records_crawl_date_and_files(kg: KG) -> None:
    snap = kg.snapshots().filter(pl.col("source") == "fairjupyter").row(0, named=True)
    assert snap["version"] == "68c3319"
    assert str(snap["retrieved"]) == "2023-05-09"  # latest GitHub updated_at/pushed_at in repository_data
    assert snap["licence"] == "http://spdx.org/licenses/GPL-3.0-only"


def test_every_article_is_one_paper(kg: KG, raw: dict[str, pl.DataFrame]) -> None:
    n = kg.query("SELECT (COUNT(DISTINCT ?p) AS ?n) WHERE { ?p a ptmkg:Paper ; fabio:hasPubMedCentralId ?pmc }")
    assert n["n"][0] == raw["article"]["pmc"].n_unique() == 3467
    dois = kg.query("SELECT (COUNT(DISTINCT ?d) AS ?n) WHERE { ?p a ptmkg:Paper ; prism:doi ?d }")
    assert dois["n"][0] == raw["article"]["doi"].drop_nulls().str.to_lowercase().n_unique()


def test_orcid_authors(kg: KG, raw: dict[str, pl.DataFrame]) -> None:
    expected = raw["author"]["orcid"].str.to_uppercase().str.extract(r"(\d{4}-\d{4}-\d{4}-\d{3}[\dX])$", 1)
    got = kg.query("SELECT (COUNT(DISTINCT ?a) AS ?n) WHERE { ?p schema:author ?a "
                   "FILTER STRSTARTS(STR(?a), 'https://w3id.org/ptmkg/id/agent/orcid/') }")
    assert got["n"][0] == expected.drop_nulls().n_unique()


def test_notebooks_and_cell_feature_totals(kg: KG, raw: dict[str, pl.DataFrame]) -> None:
    r = _repos(raw).filter(pl.col("notebooks").is_not_null() & (pl.col("notebooks") != ""))
    paths = r.select("key", pl.col("notebooks").str.replace_all(".ipynb;", ".ipynb\n", literal=True)
                     .str.split("\n").alias("path")).explode("path").unique()
    got = kg.query("SELECT (COUNT(DISTINCT ?nb) AS ?n) WHERE { ?r ptmkg:hasNotebook ?nb . ?nb a ptmkg:Notebook }")
    assert got["n"][0] == paths.height
    # Repositories cited twice in different letter case are one node; compare the others exactly.
    single = _repos(raw).filter(pl.col("key").is_unique())
    uses = kg.query("SELECT ?r ?c WHERE { ?r ptmkg:hasNotebook ?nb . ?nb ptmkg:ipythonFeatureCount ?c }")
    uses = uses.filter(pl.col("r").str.replace(".*/repo/github/", "").is_in(single["key"].implode()))
    cells = raw["cell_features"].filter(pl.col("repository_id").is_in(single["id"].implode()))
    assert uses["c"].sum() == cells.height > 40000


def test_journals_by_articles(kg: KG, raw: dict[str, pl.DataFrame]) -> None:
    j = raw["journal"].select(pl.col("id").alias("journal_id"), _slug("name").alias("slug"))
    expected = raw["article"].join(j, on="journal_id").group_by("slug").agg(pl.col("id").n_unique().alias("n"))
    got = kg.run("fairjupyter/journals-by-articles")
    got = got.with_columns(pl.col("journal").str.replace(r".*/journal/", ""))
    assert _as_dict(got, "journal", "articles") == _as_dict(expected, "slug", "n")
    assert got["articles"].to_list() == sorted(got["articles"].to_list(), reverse=True)


@pytest.mark.parametrize("min_notebooks", [1, 0])
def test_journals_by_notebook_repositories(kg: KG, raw: dict[str, pl.DataFrame], min_notebooks: int) -> None:
    j = raw["journal"].select(pl.col("id").alias("journal_id"), _slug("name").alias("slug"))
    a = raw["article"].select(pl.col("id").alias("article_id"), "journal_id").join(j, on="journal_id")
    pairs = _repos(raw).filter(pl.col("max_nb") >= min_notebooks).join(a, on="article_id")
    expected = pairs.group_by("slug").agg(pl.col("key").n_unique().alias("n"))
    got = kg.run("fairjupyter/journals-by-notebook-repositories", min_notebooks=min_notebooks)
    got = got.with_columns(pl.col("journal").str.replace(r".*/journal/", ""))
    assert _as_dict(got, "journal", "repositories") == _as_dict(expected, "slug", "n")


def test_research_fields_by_articles(kg: KG, raw: dict[str, pl.DataFrame]) -> None:
    expected = raw["articlemesh"].group_by("toplevelmeshid").agg(pl.col("article_id").n_unique().alias("n"))
    got = kg.run("fairjupyter/research-fields-by-articles").with_columns(pl.col("field").str.replace(MESH, ""))
    assert _as_dict(got, "field", "articles") == _as_dict(expected, "toplevelmeshid", "n")
    assert got.filter(pl.col("field") == "G03")["label"][0] == "Metabolism"  # not its "[OBSOLETE]" label


@pytest.mark.parametrize("min_notebooks", [1, 0])
def test_research_fields_by_repositories(kg: KG, raw: dict[str, pl.DataFrame], min_notebooks: int) -> None:
    repos = _repos(raw).filter(pl.col("max_nb") >= min_notebooks).select("article_id", "key")
    expected = (raw["articlemesh"].join(repos, on="article_id")
                .group_by("toplevelmeshid").agg(pl.col("key").n_unique().alias("n")))
    got = kg.run("fairjupyter/research-fields-by-repositories", min_notebooks=min_notebooks)
    got = got.with_columns(pl.col("field").str.replace(MESH, ""))
    assert _as_dict(got, "field", "repositories") == _as_dict(expected, "toplevelmeshid", "n")


def test_repository_stars_buckets(kg: KG, raw: dict[str, pl.DataFrame]) -> None:
    stars = (raw["repository_data"].select(pl.col("repository_id").alias("id"), pl.col("stargazers_count").cast(pl.Int64))
             .join(_repos(raw), on="id").group_by("key").agg(pl.col("stargazers_count").max().alias("s")))
    bucket = (pl.when(pl.col("s") == 0).then(pl.lit("0")).when(pl.col("s") < 10).then(pl.lit("1-9"))
              .when(pl.col("s") < 100).then(pl.lit("10-99")).when(pl.col("s") < 1000).then(pl.lit("100-999"))
              .otherwise(pl.lit("1000+")))
    expected = stars.group_by(bucket.alias("bucket")).len()
    got = kg.run("fairjupyter/repository-stars")
    assert got["bucket"].to_list() == ["0", "1-9", "10-99", "100-999", "1000+"]
    assert _as_dict(got, "bucket", "repositories") == _as_dict(expected, "bucket", "len")
    assert got["repositories"].sum() == stars.height


# ------------------------------------------------------------------ a tiny hand-made copy of the layout

TABLES = {
    "article": "id,journal_id,name,pmid,pmc,publisher_id,doi,subject,published_date,received_date,accepted_date,"
               "license_type,copyright_statement,keywords,repositories\n"
               '1,1,"A paper",111,9001,x,10.1186/ABC,Software,2023-03-26,2023-01-04,2023-03-21,'
               'http://creativecommons.org/licenses/by/4.0/,"(c)",a;b,https://github.com/o/r\n'
               '2,1,"B paper",,9002,,,Article,2023-04-01,,,,,"",https://github.com/o/s\n',
    "articlemesh": "id,article_id,pmid,meshid,mesh_label,toplevelmeshid,toplevelmeshlabel\n"
                   "1,1,111,D1,Dogs,B01,Eukaryota\n2,1,111,D1,Dogs,B02,Animals\n",
    "author": "id,name,given_names,orcid,email,article_id\n"
              "1,Doe,Jane,https://orcid.org/0000-0002-1825-0097,j@x.org,1\n2,Roe,Rich,,,2\n",
    "cell_features": "id,repository_id,notebook_id,cell_id,index,analysis_id,line,column,feature_name,feature_value,skip\n"
                     "1,2,3,10,1,1,1,0,IPython/system,pip,0\n2,2,3,10,1,2,2,0,IPython/run_line_magic,x,0\n"
                     "3,2,3,11,2,3,1,0,IPython/system,ls,0\n",
    "journal": "id,name,nlm_ta,iso_abbrev,issn_epub,publisher_name,publisher_loc\n1,J Test,J T,J T,1234-5678,Pub,X\n",
    "notebook_features": "id,repository_id,notebook_id,index,skip\n1,1,1,,0\n2,2,3,\"1,2\",0\n",
    "repositories": "id,article_id,domain,repository,hash_dir1,hash_dir2,commit,notebooks_count,setups_count,"
                    "requirements_count,notebooks,setups,requirements,processed,pipfiles_count,pipfile_locks_count,"
                    "pipfiles,pipfile_locks\n"
                    '1,1,github.com,O/R,a,b,c1,1,0,1,nb/one.ipynb,"",requirements.txt,1,0,0,"",""\n'
                    '2,2,github.com,o/s,a,b,c2,2,1,0,x;y.ipynb;[z].ipynb,setup.py,"",1,0,0,"",""\n',
    "repository_data": "id,url,created_at,updated_at,pushed_at,language,stargazers_count,forks_count,"
                       "license_name,license_key,repository_id,article_id\n"
                       "1,u,2021-03-31 18:01:31,2023-03-31 08:00:30,2022-12-28 14:16:26,\"{'Python': 3}\",12,2,"
                       "MIT License,mit,1,1\n",
}


def write_tables(folder: Path, tables: dict[str, str] = TABLES) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, body in tables.items():
        (folder / f"{name}.csv").write_text(body, encoding="utf-8")
    return folder


def test_hand_made_tables_map_to_expected_facts(tmp_path: Path) -> None:
    kg = KG.memory()
    result = kg.ingest("fairjupyter", write_tables(tmp_path / "data"))
    assert result.loaded
    snap = kg.snapshots().row(0, named=True)
    assert str(snap["retrieved"]) == "2023-03-31"
    paper = "https://w3id.org/ptmkg/id/paper/doi/10.1186/abc"
    facts = kg.query("SELECT ?p ?o WHERE { ?_s_iri ?p ?o }", s=paper)
    got = set(zip(facts["p"].str.replace(r".*[/#]", "").to_list(), facts["o"].cast(pl.String).to_list()))
    assert {("hasPubMedId", "111"), ("hasPubMedCentralId", "PMC9001"), ("doi", "10.1186/abc"),
            ("license", "http://spdx.org/licenses/CC-BY-4.0"), ("keywords", "a"), ("keywords", "b"),
            ("codeRepository", "https://w3id.org/ptmkg/id/repo/github/o/r"),
            ("subject", MESH + "D1"), ("subject", MESH + "B01"), ("subject", MESH + "B02"),
            # The source's own spellings, kept beside the merged journal and repository nodes.
            ("journalNameRaw", "J Test"), ("codeRepositoryRaw", "https://github.com/O/R")} <= got
    # Article 2 has no DOI and no PMID: keyed by its PMC id.
    assert kg.query("ASK { <https://w3id.org/ptmkg/id/paper/key/fairjupyter/PMC9002> a ptmkg:Paper }")
    # Notebook ids run over repositories in id order: repo 2's notebooks are ids 2 and 3 ("x;y.ipynb", "[z].ipynb").
    nb = kg.query("SELECT ?path ?uses ?cells WHERE { ?nb ptmkg:filePath ?path . "
                  "OPTIONAL { ?nb ptmkg:ipythonFeatureCount ?uses ; ptmkg:ipythonCellCount ?cells } } ORDER BY ?path")
    assert nb.rows() == [("[z].ipynb", 3, 2), ("nb/one.ipynb", 0, 0), ("x;y.ipynb", None, None)]
    kinds = kg.query("SELECT ?k WHERE { ?nb ptmkg:ipythonFeature ?k } ORDER BY ?k")
    assert kinds["k"].to_list() == ["run_line_magic", "system"]
    agent = kg.query("SELECT ?a WHERE { ?p schema:author ?a } ORDER BY ?a")["a"].to_list()
    assert agent == ["https://w3id.org/ptmkg/id/agent/name/rich-roe",
                     "https://w3id.org/ptmkg/id/agent/orcid/0000-0002-1825-0097"]


@pytest.mark.parametrize("table, old, new, row, field", [
    ("article", "2023-03-26", "26/03/2023", 2, "published_date"),
    ("repositories", ",c2,2,", ",c2,two,", 3, "notebooks_count"),
    ("repository_data", "2021-03-31 18:01:31", "yesterday", 2, "created_at"),
    ("journal", "id,name,", "ident,name,", None, "id"),
    ("cell_features", "1,2,3,10", "1,2,9,10", None, "notebook_id"),
])
def test_bad_input_names_file_row_field_and_loads_nothing(tmp_path: Path, table: str, old: str, new: str,
                                                          row: int | None, field: str) -> None:
    kg = KG.memory()
    kg.ingest("fairjupyter", write_tables(tmp_path / "good"))
    before = len(kg)
    tables = {**TABLES, table: TABLES[table].replace(old, new, 1)}
    with pytest.raises(InputError) as err:
        kg.ingest("fairjupyter", write_tables(tmp_path / "bad", tables))
    assert Path(err.value.file).name == f"{table}.csv"
    assert (err.value.row, err.value.field) == (row, field)
    assert len(kg) == before


def test_ingest_all_finds_the_shared_folders(tmp_path: Path) -> None:
    from ptmkg.ingest import ingest_all

    data = tmp_path / "data"
    data.mkdir()
    for name in ["fairjupyter", "ptmtorrent"]:
        (data / name).symlink_to(shared_path("data", name), target_is_directory=True)
    results = ingest_all(KG.memory(), data)
    assert sorted((r.source, r.loaded) for r in results) == [("fairjupyter", True), ("ptmtorrent", True)]
