// Enter in a pick list's search field (type=search inside a fieldset with its own submit
// button) runs that search. Without this, a browser submits the form with its default button,
// which each such form makes its "save" button (a hidden copy placed first); without script,
// Enter there saves, as in any other field.
document.addEventListener('keydown', function (event) {
  var input = event.target;
  if (event.key !== 'Enter' || !(input instanceof HTMLInputElement) || input.type !== 'search') {
    return;
  }
  var group = input.closest('fieldset');
  var search = group && group.querySelector('button[type="submit"]');
  if (search && input.form) {
    event.preventDefault();
    search.click();
  }
});

// Tables on a phone (decision 0014): below 40rem each row stacks its cells, and each cell says
// which column it is, from the table's own header ("ausstehend: 11" instead of "11"). The
// labels come from the header row, so no template repeats them; lists swapped in by htmx get
// theirs after the swap. Without script, the cells stack without their labels.
function labelTableCells(root) {
  (root || document).querySelectorAll('table').forEach(function (table) {
    var head = table.tHead && table.tHead.rows[0];
    if (!head) {
      return;
    }
    var labels = Array.prototype.map.call(head.cells, function (cell) {
      return cell.textContent.trim();
    });
    Array.prototype.forEach.call(table.tBodies, function (body) {
      Array.prototype.forEach.call(body.rows, function (row) {
        Array.prototype.forEach.call(row.cells, function (cell, i) {
          if (labels[i] && !cell.hasAttribute('data-label')) {
            cell.setAttribute('data-label', labels[i]);
          }
        });
      });
    });
  });
}
document.addEventListener('DOMContentLoaded', function () { labelTableCells(document); });
document.addEventListener('htmx:afterSwap', function (event) { labelTableCells(event.target); });

// The offer form (decision 0015). Without script its helper buttons send the form and come
// back with it filled in; with script the quick choices of an opening-hours row tick their
// days in place, and a click on a place's map sets its latitude and longitude.
document.addEventListener('click', function (event) {
  var button = event.target instanceof Element && event.target.closest('button[data-days]');
  if (!button) {
    return;
  }
  var row = button.closest('.hours-row');
  if (!row) {
    return;
  }
  event.preventDefault();
  button.getAttribute('data-days').split(' ').forEach(function (day) {
    var box = row.querySelector('input[type="checkbox"][value$=":' + day + '"]');
    if (box) {
      box.checked = true;
    }
  });
});

function setUpPlaceMaps(root) {
  (root || document).querySelectorAll('.place').forEach(function (place) {
    var pick = place.querySelector('.map-pick');
    var svg = pick && pick.querySelector('svg');
    var lat = place.querySelector('input[data-coordinate="lat"]');
    var lon = place.querySelector('input[data-coordinate="lon"]');
    if (!svg || !lat || !lon || pick.hasAttribute('data-ready')) {
      return;
    }
    pick.setAttribute('data-ready', '');
    pick.hidden = false;
    // west, degrees of longitude, north, degrees of latitude over the 300 × 250 inner units.
    var p = svg.getAttribute('data-projection').split(' ').map(Number);
    var marker = svg.querySelector('.marker');
    function number(input) {
      return parseFloat(input.value.replace(',', '.'));
    }
    function showMarker() {
      var a = number(lat);
      var b = number(lon);
      if (isNaN(a) || isNaN(b)) {
        marker.setAttribute('cx', -20);
        marker.setAttribute('cy', -20);
        return;
      }
      marker.setAttribute('cx', (b - p[0]) / p[1] * 300 + 10);
      marker.setAttribute('cy', (p[2] - a) / p[3] * 250 + 10);
    }
    svg.addEventListener('click', function (event) {
      var point = svg.createSVGPoint();
      point.x = event.clientX;
      point.y = event.clientY;
      var at = point.matrixTransform(svg.getScreenCTM().inverse());
      lat.value = (p[2] - (at.y - 10) / 250 * p[3]).toFixed(4);
      lon.value = (p[0] + (at.x - 10) / 300 * p[1]).toFixed(4);
      var note = place.querySelector('[id^="n-place-"]');
      if (note) {
        note.textContent = 'Lage auf der Karte gewählt (auf einige hundert Meter genau).';
      }
      showMarker();
    });
    lat.addEventListener('input', showMarker);
    lon.addEventListener('input', showMarker);
  });
}
document.addEventListener('DOMContentLoaded', function () { setUpPlaceMaps(document); });
