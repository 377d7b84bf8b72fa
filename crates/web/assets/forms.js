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
