export * from './usv-layer';
export * from './scale-layer';
export * from './teacher-student-system';
export * from './teacher-student.module';
