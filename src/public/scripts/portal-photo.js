// Portal "report a problem": shows the chosen photo before it is sent (progressive: the form works without it).
(() => {
  const input = document.getElementById('photo');
  const preview = document.getElementById('photo-preview');
  if (!input || !preview) return;
  input.addEventListener('change', () => {
    const file = input.files?.[0];
    if (!file || !/^image\/(jpeg|png|gif|webp)$/.test(file.type) || file.size > 8 * 1024 * 1024) {
      preview.hidden = true;
      preview.removeAttribute('src');
      return;
    }
    const reader = new FileReader();
    reader.onload = () => {
      preview.src = String(reader.result);
      preview.hidden = false;
    };
    reader.readAsDataURL(file);
  });
})();
