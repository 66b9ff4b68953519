//! Query parameters of the lists that only sort and page (departments, areas, tokens). One
//! macro gives each list its documented parameter struct, its sort keys as an enum so that the
//! OpenAPI document states exactly what the server accepts.

/// `sorted_list_params!(Params, SortEnum, "doc of sort", [Variant, …])`.
macro_rules! sorted_list_params {
    ($params:ident, $sort:ident, $doc:literal, [$($variant:ident),+ $(,)?]) => {
        #[derive(serde::Deserialize, utoipa::IntoParams, Default, Clone)]
        #[into_params(parameter_in = Query)]
        pub struct $params {
            #[doc = $doc]
            #[param(value_type = Option<$sort>, inline)]
            pub sort: Option<String>,
            /// asc (default) or desc
            #[param(value_type = Option<$crate::api::people::SortDirName>, inline)]
            pub dir: Option<String>,
            /// Where the page starts: the cursor from the previous page's `next` link (404 if
            /// it is not one).
            #[param(min_length = 1, max_length = 2000)]
            pub after: Option<String>,
            #[param(minimum = 1, maximum = 500)]
            pub per_page: Option<u32>,
        }

        #[derive(utoipa::ToSchema)]
        #[schema(rename_all = "lowercase")]
        #[allow(dead_code)]
        pub enum $sort {
            $($variant),+
        }

        impl $params {
            /// Checks the parameters against `spec`; empty values given through the API are refused.
            pub fn checked(
                &self,
                spec: &bulwark_core::list::ListSpec,
            ) -> Result<bulwark_core::list::ListQuery, $crate::error::ApiError> {
                $crate::api::given_not_empty(&[("sort", &self.sort), ("dir", &self.dir), ("after", &self.after)])?;
                Ok(spec.parse(&self.raw())?)
            }

            pub fn raw(&self) -> bulwark_core::list::RawListQuery {
                bulwark_core::list::RawListQuery {
                    sort: self.sort.clone(),
                    dir: self.dir.clone(),
                    after: self.after.clone(),
                    limit: self.per_page,
                    ..Default::default()
                }
            }

            /// This query as a URL query string, without the cursor (the base of `next` links).
            pub fn query_without_after(&self) -> String {
                $crate::api::list_query(&[("sort", &self.sort), ("dir", &self.dir)], self.per_page)
            }
        }
    };
}

sorted_list_params!(DepartmentParams, DepartmentSortName, "name (default), people or created", [Name, People, Created]);
sorted_list_params!(AreaParams, AreaSortName, "name (default), members or created", [Name, Members, Created]);
sorted_list_params!(TokenParams, TokenSortName, "name (default) or created", [Name, Created]);
