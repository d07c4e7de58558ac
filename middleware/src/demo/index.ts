export {
  closureView,
  driveToCompletion,
  runDemo,
  startDemoClosure,
  targetOf,
  type ClosureView,
  type DemoResult,
  type DemoTarget,
  type StartedClosure,
} from './run-demo.ts';
