import { EasyRemoteError } from '@easyremote/protocol';

export const LauncherErrorCode = {
  BinaryNotFound: 'LAUNCH_ERR_BINARY_NOT_FOUND',
  StartFailed: 'LAUNCH_ERR_START_FAILED',
} as const;

export class LauncherError extends EasyRemoteError {
  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
    this.name = 'LauncherError';
  }
}
