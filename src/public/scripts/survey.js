// Survey pages (src/followups). The link from the message (`?score=N`) opens the question with that score chosen;
// GET records nothing (mail scanners open links), so for a real browser this script sends the form at once: the
// customer answers in one click. Without it, the "Send my answer" button does the same, with any comment typed.
// Also: the chosen score stays highlighted as it changes, and a form is sent once (a second click while the first
// is on its way does nothing; the server would answer "already answered" anyway).
(() => {
  for (const form of document.querySelectorAll('form[data-survey-form]')) {
    const options = Array.from(form.querySelectorAll('.survey-option'));
    form.addEventListener('change', (e) => {
      if (!(e.target instanceof HTMLInputElement) || e.target.name !== 'score') return;
      for (const label of options) label.classList.toggle('is-chosen', label.contains(e.target));
    });
    let sent = false;
    form.addEventListener('submit', (e) => {
      if (sent) {
        e.preventDefault();
        return;
      }
      sent = true;
      form.setAttribute('aria-busy', 'true');
      const button = form.querySelector('button[type="submit"]');
      if (button) button.setAttribute('aria-disabled', 'true');
    });
    if (form.hasAttribute('data-autosubmit') && form.querySelector('input[name="score"]:checked')) {
      if (typeof form.requestSubmit === 'function') form.requestSubmit();
      else {
        sent = true;
        form.submit();
      }
    }
  }
})();
