import { ContainerModule } from 'inversify';
import { SystemDescriptor } from '@entroscope/core';
import { teacherStudentDescriptor } from './teacher-student-system';

/** Contributes the teacher–student (USV network) system to the runner's registries. */
export const teacherStudentModule = new ContainerModule(({ bind }) => {
  bind(SystemDescriptor).toConstantValue(teacherStudentDescriptor);
});
