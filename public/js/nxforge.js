// NxForge's only script of its own. Pages work without it; with it, htmx requests carry the CSRF token.
document.addEventListener('htmx:config:request', (event) => {
  const token = document.querySelector('meta[name="csrf-token"]')?.content;
  if (token) event.detail.ctx.request.headers['X-CSRF-Token'] = token;
});
