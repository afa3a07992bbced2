(function () {
  "use strict";
  function rowsOf(table) { return Array.prototype.slice.call(table.tBodies[0].rows); }
  document.querySelectorAll("input[data-filter]").forEach(function (input) {
    var table = document.getElementById(input.getAttribute("data-filter"));
    var counter = document.getElementById(input.getAttribute("data-count"));
    if (!table) { return; }
    var rows = rowsOf(table);
    input.addEventListener("input", function () {
      var q = input.value.trim().toLowerCase();
      var shown = 0;
      rows.forEach(function (row) {
        var hit = !q || (row.getAttribute("data-search") || row.textContent).toLowerCase().indexOf(q) >= 0;
        row.hidden = !hit;
        if (hit) { shown += 1; }
      });
      if (counter) { counter.textContent = String(shown); }
    });
  });
  function key(cell, kind) {
    var v = cell ? cell.getAttribute("data-v") : null;
    if (kind === "text") { return (v === null ? cell.textContent : v).trim().toLowerCase(); }
    var x = v === null || v === "" ? NaN : parseFloat(v);
    return isNaN(x) ? -Infinity : x;
  }
  document.querySelectorAll("table.sortable th[data-sort]").forEach(function (th) {
    th.addEventListener("click", function () {
      var table = th.closest("table");
      var index = Array.prototype.indexOf.call(th.parentNode.children, th);
      var kind = th.getAttribute("data-sort");
      var descending = th.getAttribute("aria-sort") !== "descending";
      table.querySelectorAll("th[aria-sort]").forEach(function (other) { other.removeAttribute("aria-sort"); });
      th.setAttribute("aria-sort", descending ? "descending" : "ascending");
      var body = table.tBodies[0];
      rowsOf(table).sort(function (a, b) {
        var x = key(a.cells[index], kind), y = key(b.cells[index], kind);
        var order = x < y ? -1 : (x > y ? 1 : 0);
        return descending ? -order : order;
      }).forEach(function (row) { body.appendChild(row); });
    });
  });
})();
