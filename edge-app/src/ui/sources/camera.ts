import { type Feeds, type ImagePreprocessing, imageTensorFrom } from '../../lcm/index.ts';

/** The device camera as an input source for image models: getUserMedia into a <video>, frames on demand. */
export class Camera {
  private stream: MediaStream | undefined;

  get on(): boolean {
    return !!this.stream;
  }

  static available(): boolean {
    return !!navigator.mediaDevices?.getUserMedia;
  }

  async start(video: HTMLVideoElement): Promise<void> {
    if (!Camera.available()) throw new Error('this browser gives no camera access (it needs HTTPS or localhost)');
    try {
      this.stream = await navigator.mediaDevices.getUserMedia({ video: { facingMode: 'environment' }, audio: false });
    } catch (err) {
      const name = (err as { name?: string }).name;
      throw new Error(
        name === 'NotAllowedError'
          ? 'camera access was refused: allow it in the browser settings'
          : name === 'NotFoundError'
            ? 'this device has no camera'
            : `the camera did not start: ${(err as Error).message}`,
      );
    }
    video.srcObject = this.stream;
    await video.play();
  }

  stop(video?: HTMLVideoElement): void {
    for (const t of this.stream?.getTracks() ?? []) t.stop();
    this.stream = undefined;
    if (video) video.srcObject = null;
  }

  /** The current frame as the model's input tensor. */
  async feeds(video: HTMLVideoElement, spec: ImagePreprocessing, inputName: string): Promise<Feeds> {
    if (!video.videoWidth) throw new Error('the camera has no picture yet');
    const frame = await createImageBitmap(video);
    try {
      return { [inputName]: await imageTensorFrom(spec, frame) };
    } finally {
      frame.close();
    }
  }
}
