/**
 * Sends a file dropped on the window to main as its bytes, in order, in chunks small enough for
 * the twin's request limit. The renderer never learns or sends the file's path; main keeps the
 * bytes as a private copy and opens that read-only.
 */
import type { IpcResult, ProofdeskApi } from '../src-shared/ipc/ipc-contract';
import { DROP_CHUNK_BYTES, MAX_DROPPED_FILE_BYTES } from '../src-shared/ipc/workspace-contract';
import type { WorkspaceDescription } from './workspace-state';

/** The slice of a File this needs, so tests can pass a plain Blob with a name. */
export interface DroppedFile {
  readonly name: string;
  readonly size: number;
  slice(start: number, end: number): Blob;
}

/** Standard base64, built in slices because String.fromCharCode takes a bounded argument list. */
export function bytesToBase64(bytes: Uint8Array): string {
  let binary = '';
  for (let offset = 0; offset < bytes.length; offset += 0x8000) {
    binary += String.fromCharCode(...bytes.subarray(offset, offset + 0x8000));
  }
  return btoa(binary);
}

export async function sendDroppedFile(
  api: ProofdeskApi,
  file: DroppedFile,
  onProgress: (bytesSent: number, bytesTotal: number) => void,
  signal: AbortSignal,
): Promise<IpcResult<WorkspaceDescription>> {
  if (file.size > MAX_DROPPED_FILE_BYTES) {
    return {
      ok: false,
      error: {
        code: 'USAGE',
        message: `${file.name} is larger than a dropped file may be (2 GiB); open it with Open… instead.`,
      },
    };
  }
  const begun = await api.beginDroppedFile({ fileName: file.name, bytes: file.size });
  if (!begun.ok) return begun;
  const { receiptId } = begun.data;
  const cancelled = async (): Promise<IpcResult<never>> => {
    await api.abortDroppedFile({ receiptId });
    return {
      ok: false,
      error: { code: 'CANCELLED', message: `Opening ${file.name} was cancelled.` },
    };
  };
  onProgress(0, file.size);
  for (let offset = 0; offset < file.size; offset += DROP_CHUNK_BYTES) {
    if (signal.aborted) return cancelled();
    const end = Math.min(offset + DROP_CHUNK_BYTES, file.size);
    const bytes = new Uint8Array(await file.slice(offset, end).arrayBuffer());
    const sent = await api.sendDroppedFileChunk({
      receiptId,
      offset,
      base64: bytesToBase64(bytes),
    });
    if (!sent.ok) return sent;
    onProgress(sent.data.bytesReceived, file.size);
  }
  if (signal.aborted) return cancelled();
  return api.openDroppedFile({ receiptId });
}
