// The ptmkg query page: YASGUI on this endpoint, prefilled with the project's prefixes, and the
// canned query catalogue as examples (click one: it opens in a tab and runs).
(function () {
  "use strict";
  const config = JSON.parse(document.getElementById("ptmkg-config").textContent);
  const endpoint = window.location.origin + "/query";
  document.getElementById("endpoint-url").textContent = endpoint;
  const Yasgui = window.Yasgui.default || window.Yasgui;
  const yasgui = new Yasgui(document.getElementById("yasgui"), {
    requestConfig: { endpoint: endpoint, method: "POST" },
    copyEndpointOnNewTab: false,
    endpointCatalogueOptions: { getData: () => [{ endpoint: endpoint }] },
    persistenceId: null,
    populateFromUrl: false,
    yasqe: { value: config.start, autocompleters: ["prefixes", "variables"] },
  });
  function open(example) {
    const tab = yasgui.addTab(true, { ...Yasgui.Tab.getDefaults(), name: example.name,
                                      yasqe: { value: example.query }, requestConfig: { endpoint: endpoint } });
    tab.getYasqe().setValue(example.query);
    if (example.run) tab.query();  // an exercise opens its task, for the student to write the query
  }
  const list = document.querySelector("#examples ul");
  let group = null;
  for (const example of config.examples) {
    const folder = example.name.includes("/") ? example.name.slice(0, example.name.lastIndexOf("/")) : "";
    if (folder !== group) {  // a heading per folder: claims, fairjupyter, teaching/solutions, ...
      group = folder;
      const heading = document.createElement("li");
      heading.className = "group";
      heading.textContent = folder || "queries";
      list.appendChild(heading);
    }
    const item = document.createElement("li");
    const button = document.createElement("button");
    button.textContent = example.name;
    button.dataset.query = example.name;
    button.addEventListener("click", () => open(example));
    item.appendChild(button);
    item.appendChild(document.createElement("br"));
    item.appendChild(document.createTextNode(example.summary));
    if (example.parameters.length) {
      const params = document.createElement("span");
      params.className = "params";
      params.textContent = " (parameters: " + example.parameters.join(", ") + ")";
      item.appendChild(params);
    }
    list.appendChild(item);
  }
  window.ptmkgYasgui = yasgui;
})();
