import { mkdirSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { koaBody } from 'koa-body';
import { NxfError } from '../../errors.js';
import type { AppContext, AppMiddleware } from '../../http/app-context.js';
import type { CoreServices } from '../../core-services.js';

/**
 * The page route of module uploads. A plain (non-htmx) upload form carries its CSRF token in its action URL, and
 * this is the one path where the CSRF check accepts it there (see csrf.ts).
 */
export const moduleUploadPath = '/admin/modules/upload';

/** The file of a parsed upload (formidable's). */
export interface UploadedFile {
  filepath: string;
  originalFilename?: string | null;
  size: number;
}

/**
 * Parses a module upload (multipart, one file in the field `file`) into the installer's staging folder, with
 * the upload size limit; the temporary file is deleted when the request ends, whatever happened.
 * @throws NxfError NXF_UPLOAD_TOO_LARGE (413), NXF_UPLOAD_INVALID (400).
 */
export function moduleUpload(services: CoreServices): AppMiddleware {
  const uploadDir = services.installer.stagingDir;
  const parse = koaBody({
    multipart: true,
    json: false,
    urlencoded: false,
    text: false,
    formidable: {
      uploadDir,
      maxFiles: 1,
      maxFileSize: services.uploadLimitBytes,
      allowEmptyFiles: false,
      keepExtensions: false,
    },
    onError: (error) => {
      const status =
        (error as { httpCode?: number; status?: number }).httpCode ?? (error as { status?: number }).status;
      if (status === 413) {
        throw new NxfError(
          'NXF_UPLOAD_TOO_LARGE',
          `The upload is larger than ${Math.round(services.uploadLimitBytes / 1024 / 1024)} MB.`,
          {
            status: 413,
          },
        );
      }
      throw new NxfError('NXF_UPLOAD_INVALID', `The upload could not be read: ${(error as Error).message}`, {
        status: 400,
      });
    },
  });
  return async (ctx, next) => {
    if (!ctx.is('multipart')) {
      throw new NxfError(
        'NXF_UPLOAD_INVALID',
        'Send the module as multipart/form-data with the ZIP in the field "file".',
        { status: 400 },
      );
    }
    // Refuse an announced oversize upload before reading any of it.
    if (Number(ctx.get('Content-Length')) > services.uploadLimitBytes + 64 * 1024) {
      throw new NxfError(
        'NXF_UPLOAD_TOO_LARGE',
        `The upload is larger than ${Math.round(services.uploadLimitBytes / 1024 / 1024)} MB.`,
        {
          status: 413,
        },
      );
    }
    mkdirSync(uploadDir, { recursive: true });
    try {
      await parse(ctx, next);
    } finally {
      const files = Object.values(
        (ctx.request as { files?: Record<string, UploadedFile | UploadedFile[]> }).files ?? {},
      ).flat();
      await Promise.all(files.map((file) => rm(file.filepath, { force: true })));
    }
  };
}

/** The uploaded `file` field. @throws NxfError NXF_UPLOAD_INVALID when there is none. */
export function uploadedFile(ctx: AppContext): UploadedFile {
  const file = (ctx.request as { files?: Record<string, UploadedFile | UploadedFile[]> }).files?.file;
  const single = Array.isArray(file) ? file[0] : file;
  if (!single)
    throw new NxfError('NXF_UPLOAD_INVALID', 'Choose a module ZIP file to upload (field "file").', { status: 400 });
  return single;
}
