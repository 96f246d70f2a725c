import { runComputeBench } from './compute.js';

runComputeBench();
