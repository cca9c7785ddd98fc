// What the timeline bench needs, bundled by bench/timeline-window.js into out/bench-timeline/: the
// Engine, the function behind `job.timeline`, and the wire encoding its reply travels in.
export { Engine } from '../../src/main/engine/engine'
export { timelineWindow } from '../../src/main/engine/timelineWindow'
export { encodeServerFrame } from '../../src/shared/wire/frames'
