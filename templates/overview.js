(function () {
  var table = document.getElementById('gebieden');
  var body = table.tBodies[0];
  var zoek = document.getElementById('zoek'), niveau = document.getElementById('niveau');
  var gemeente = document.getElementById('gemeente'), aantal = document.getElementById('aantal');
  function filter() {
    var q = zoek.value.toLowerCase(), lv = niveau.value, gm = gemeente.value, n = 0;
    Array.prototype.forEach.call(body.rows, function (tr) {
      var show = (!q || tr.textContent.toLowerCase().indexOf(q) >= 0) && (!lv || tr.dataset.level === lv)
        && (!gm || tr.dataset.gemeente === gm);
      tr.hidden = !show;
      if (show) { n += 1; }
    });
    aantal.textContent = n + ' van ' + body.rows.length + ' gebieden';
  }
  zoek.addEventListener('input', filter); niveau.addEventListener('change', filter);
  gemeente.addEventListener('change', filter);
  table.querySelectorAll('th button').forEach(function (btn) {
    btn.addEventListener('click', function () {
      var col = +btn.dataset.col, num = btn.dataset.num === '1', th = btn.parentNode;
      var asc = th.getAttribute('aria-sort') !== 'ascending';
      table.querySelectorAll('thead th').forEach(function (h) { h.setAttribute('aria-sort', 'none'); });
      th.setAttribute('aria-sort', asc ? 'ascending' : 'descending');
      var rows = Array.prototype.slice.call(body.rows);
      rows.sort(function (a, b) {
        var x = a.cells[col].dataset.sort, y = b.cells[col].dataset.sort;
        if (num) { x = x === '' ? -Infinity : +x; y = y === '' ? -Infinity : +y; return asc ? x - y : y - x; }
        return asc ? x.localeCompare(y, 'nl') : y.localeCompare(x, 'nl');
      });
      rows.forEach(function (r) { body.appendChild(r); });
    });
  });
  var keuze = document.getElementById('kaart-keuze');
  if (keuze) {
    keuze.addEventListener('change', function () {
      document.querySelectorAll('figure[data-map]').forEach(function (f) {
        f.hidden = f.dataset.map !== keuze.value;
      });
    });
  }
})();
