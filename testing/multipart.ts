/**
 * A model upload as the console sends it: POST multipart/form-data with the ONNX bytes in `file`
 * (or `fileField`) and text fields after it, answered as { status, JSON body }. `url` is the
 * upload route, e.g. `<base>/api/v1/models/<name>/versions`.
 */
export async function postMultipartModel(
  url: string,
  token: string,
  parts: { file?: Uint8Array; fileField?: string; fields?: Record<string, string> },
): Promise<{ status: number; body: any }> {
  const form = new FormData();
  if (parts.file) form.set(parts.fileField ?? 'file', new Blob([parts.file.slice()]), 'model.onnx');
  for (const [k, v] of Object.entries(parts.fields ?? {})) form.set(k, v);
  const res = await fetch(url, {
    method: 'POST',
    body: form,
    headers: { authorization: `Bearer ${token}` },
    signal: AbortSignal.timeout(30_000),
  });
  return { status: res.status, body: await res.json() };
}
