"""ptmkg/sparql_guard.py: SERVICE targets found past comments, strings, IRIs and escapes; updates recognised."""

from __future__ import annotations

import pytest

from ptmkg.sparql_guard import ServiceRefused, check_services, service_targets, update_operation

FAR = "http://127.0.0.1:9/sparql"


@pytest.mark.parametrize("query, targets", [
    (f"SELECT * WHERE {{ SERVICE <{FAR}> {{ ?s ?p ?o }} }}", [FAR]),
    (f"select * where {{ service silent <{FAR}> {{ }} }}", [FAR]),
    (f"SELECT * {{}}SERVICE<{FAR}>{{}}", [FAR]),
    ("PREFIX far: <http://127.0.0.1:9/> SELECT * { SERVICE far:sparql { } }", [FAR]),
    ("SELECT * { SERVICE ptmkg:x { } }", ["https://w3id.org/ptmkg/x"]),  # the engine's default prefixes
    ("BASE <http://127.0.0.1:9/> SELECT * { SERVICE <sparql> { } }", [FAR]),
    (f"SELECT * {{ SERV\\u0049CE <{FAR}> {{ }} }}", [FAR]),  # \\u escapes are undone before parsing
    ("SELECT * { SERVICE <http://127.0.0.1:9/sp\\u0061rql> { } }", [FAR]),
    ("SELECT * { BIND(<http://x/> AS ?e) SERVICE ?e { } }", [None]),
    (f"SELECT * {{ {{ SELECT ?s {{ SERVICE <{FAR}> {{ ?s ?p ?o }} }} }} FILTER EXISTS {{ SERVICE <http://b/> {{}} }} }}",
     [FAR, "http://b/"]),
])
def test_service_targets_are_found(query, targets):
    assert service_targets(query) == targets


@pytest.mark.parametrize("query", [
    f"SELECT * {{ ?s ?p ?o }} # SERVICE <{FAR}> {{ }}",
    f"SELECT * {{ ?s ?p 'SERVICE <{FAR}> {{ }}' }}",
    f'SELECT * {{ ?s ?p """a "quoted" SERVICE <{FAR}> {{ }}""" }}',
    "SELECT ?service WHERE { ?service a <http://www.w3.org/ns/sparql-service-description#Service> ; ex:SERVICE ?x }",
    "SELECT * { ?s <http://example.org/SERVICE> ?o }",
])
def test_no_service_outside_the_grammar(query):
    assert service_targets(query) == []
    check_services(query)


def test_check_services_names_the_iri_and_how_to_allow_it():
    with pytest.raises(ServiceRefused, match=rf"SERVICE <{FAR}> is refused.*--allow-service {FAR}"):
        check_services(f"SELECT * {{ SERVICE <{FAR}> {{ }} }}")
    check_services(f"SELECT * {{ SERVICE <{FAR}> {{ }} }}", allow=[FAR])
    with pytest.raises(ServiceRefused, match="variable"):
        check_services("SELECT * { SERVICE ?e { } }", allow=[FAR])
    with pytest.raises(ServiceRefused, match="http://127.0.0.1:9/other"):  # allow-listing is exact
        check_services("SELECT * { SERVICE <http://127.0.0.1:9/other> { } }", allow=[FAR])


@pytest.mark.parametrize("request_, verb", [
    ("INSERT DATA { <a:b> <a:b> <a:b> }", "INSERT"),
    ("PREFIX x: <http://x/>\n# a comment\ndelete where { ?s ?p ?o }", "DELETE"),
    ("BASE <http://x/> LOAD <http://x/data.ttl>", "LOAD"),
    ("DROP ALL", "DROP"),
    ("WITH <http://g> DELETE { ?s ?p ?o } WHERE { ?s ?p ?o }", "WITH"),
    ("SELECT * { ?s ?p 'INSERT' }", None),
    ("PREFIX insert: <http://x/> ASK { ?s insert:p ?o }", None),
])
def test_update_operation(request_, verb):
    assert update_operation(request_) == verb
