// Applies the stored theme before the first paint (a classic script, not a module, so it runs
// at once). "auto" follows prefers-color-scheme; "light" and "dark" override it.
(function () {
  var t = null;
  try { t = localStorage.getItem('tickstock.theme'); } catch (e) { /* storage disabled */ }
  if (t === 'light' || t === 'dark') document.documentElement.setAttribute('data-theme', t);
})();
