import type { ContainerModule } from 'inversify';
import { isingModule } from '@entroscope/system-ising';
import { divergenceModule } from '@entroscope/probe-divergence';
import { informationModule } from '@entroscope/probe-information';
import { randomMlpModule } from '@entroscope/system-random-mlp';
import { sensitivityModule } from '@entroscope/probe-sensitivity';
import { metricsModule } from '@entroscope/probe-metrics';
import { trainedMlpModule } from '@entroscope/system-trained-mlp';
import { diffusionModule } from '@entroscope/system-diffusion';
import { reconstructionModule } from '@entroscope/probe-reconstruction';
import { samplesModule } from '@entroscope/system-samples';
import { cascadeModule } from '@entroscope/system-cascade';
import { replicaModule } from '@entroscope/probe-replica';
import { teacherStudentModule } from '@entroscope/system-teacher-student';

/**
 * Every plugin the runner loads. Adding a plugin = adding its package as a dependency of apps/runner and
 * one entry here; nothing else in the workspace changes.
 */
export const pluginModules: readonly { readonly name: string; readonly module: ContainerModule }[] = [
  { name: '@entroscope/system-ising', module: isingModule },
  { name: '@entroscope/probe-divergence', module: divergenceModule },
  { name: '@entroscope/probe-information', module: informationModule },
  { name: '@entroscope/system-random-mlp', module: randomMlpModule },
  { name: '@entroscope/probe-sensitivity', module: sensitivityModule },
  { name: '@entroscope/probe-metrics', module: metricsModule },
  { name: '@entroscope/system-trained-mlp', module: trainedMlpModule },
  { name: '@entroscope/system-diffusion', module: diffusionModule },
  { name: '@entroscope/probe-reconstruction', module: reconstructionModule },
  { name: '@entroscope/system-samples', module: samplesModule },
  { name: '@entroscope/system-cascade', module: cascadeModule },
  { name: '@entroscope/probe-replica', module: replicaModule },
  { name: '@entroscope/system-teacher-student', module: teacherStudentModule },
];
