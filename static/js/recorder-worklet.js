// The recorder's capture node (loaded by recorder.js with audioWorklet.addModule): hands
// the microphone's samples, mixed to mono, to the page in blocks of BLOCK frames, and
// what is left when the page asks with "flush" (then a message with last: true).
var BLOCK = 2048;

class VoxCapture extends AudioWorkletProcessor {
  constructor() {
    super();
    this.block = new Float32Array(BLOCK);
    this.filled = 0;
    this.done = false;
    var self = this;
    this.port.onmessage = function (evt) {
      if (evt.data !== "flush" || self.done) return;
      self.done = true;
      self.port.postMessage({ samples: self.block.slice(0, self.filled), last: true });
      self.filled = 0;
    };
  }

  process(inputs) {
    if (this.done) return false;
    var channels = inputs[0];
    if (!channels || !channels.length) return true;
    var frames = channels[0].length;
    for (var i = 0; i < frames; i++) {
      var sum = 0;
      for (var c = 0; c < channels.length; c++) sum += channels[c][i];
      this.block[this.filled++] = sum / channels.length;
      if (this.filled === BLOCK) {
        this.port.postMessage({ samples: this.block, last: false });
        this.block = new Float32Array(BLOCK);
        this.filled = 0;
      }
    }
    return true;
  }
}

registerProcessor("vox-capture", VoxCapture);
