/** Offers text as a file download (an export), through a temporary object URL. */
export function saveText(text: string, fileName: string, type: string): void {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const a = document.createElement('a');
  a.href = url;
  a.download = fileName;
  a.style.display = 'none';
  document.body.append(a);
  a.click();
  a.remove();
  // The download has taken its copy once click() returned; the URL can go on the next task.
  setTimeout(() => URL.revokeObjectURL(url), 0);
}
