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
